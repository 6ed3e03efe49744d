// A Node addon (N-API) that registers this process for MEMBARRIER_CMD_PRIVATE_EXPEDITED on a thread of its own.
//
// CoreCLR's start (coreclr_initialize, PAL's InitializeFlushProcessWriteBuffers) registers the process for that
// command. Linux makes the registration of a process that already has more than one thread wait for a full RCU
// grace period (kernel/sched/membarrier.c, sync_runqueues_membarrier_state: synchronize_rcu()), and Node has
// started its threads long before edge-js starts CoreCLR: measured here, the call took 5 to 26 ms inside
// vss-session and 0.02 ms inside `dotnet hello.dll`, whose process is still single-threaded then. Registered
// early on a thread of its own, the grace period passes while the host loads its JavaScript, and CoreCLR finds
// the process registered (the kernel then returns at once). Nothing else changes: it is the registration
// CoreCLR makes anyway, only made sooner.
#include <node_api.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *register_private_expedited(void *unused) {
  (void)unused;
  syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);
  return NULL;
}

// start(): true when the registering thread was started. It is detached: nothing waits for it.
static napi_value start(napi_env env, napi_callback_info info) {
  (void)info;
  pthread_t thread;
  pthread_attr_t attr;
  int started = pthread_attr_init(&attr) == 0;
  if (started) {
    started = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
              pthread_create(&thread, &attr, register_private_expedited, NULL) == 0;
    pthread_attr_destroy(&attr);
  }
  napi_value result;
  napi_get_boolean(env, started, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "start", NAPI_AUTO_LENGTH, start, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "start", fn) != napi_ok) return NULL;
  return exports;
}
