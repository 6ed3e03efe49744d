// Which Windows service hosts each well-known VSS writer. VSS itself does not say (GatherWriterStatus gives
// names, ids and states only), which is why people scrape `vssadmin list writers` and keep their own tables to know
// what to restart. Writer class ids are stable across Windows versions. Sources: Microsoft Learn's "In-Box VSS
// Writers" page (ids; System Writer "runs as part of CryptSvc"), real `vssadmin list writers` output for the ids it
// corrects (MSSearch's id on that page is wrong), and the writer-to-service tables ops teams publish for restarting
// failed writers, where two of them agree. Writers whose hosting service those sources dispute (Task Scheduler,
// Performance Counters, NPS) are left out rather than guessed.
import { requestAt, ServiceStatus } from './emulator/control';
import type { VssService } from './requester/interop';
import type { Writer } from './requester/lifecycle';

export const WellKnownWriterServices: Readonly<Record<string, string>> = {
  'e8132975-6f93-4464-a53e-1050253ae220': 'CryptSvc', // System Writer
  'a6ad56c2-b509-4e6c-bb19-49d8f43532f0': 'Winmgmt', // WMI Writer
  'afbab4a2-367d-4d15-a586-71dbb18f8485': 'VSS', // Registry Writer
  '542da469-d3e1-473c-9f4f-7847f01fc64f': 'VSS', // COM+ REGDB Writer
  'be000cbe-11fe-4426-9c58-531aa6355fc4': 'VSS', // ASR Writer
  '4dc3bdd4-ab48-4d07-adb0-3bee2926fd7f': 'VSS', // Shadow Copy Optimization Writer
  '75dfb225-e2e4-4d39-9ac9-ffaff65ddf06': 'VSS', // VSS Metadata Store Writer
  '4969d978-be47-48b0-b100-f328f07ac1e0': 'BITS', // BITS Writer
  'cd3f2362-8bef-46c7-9181-d62844cdc0b2': 'WSearch', // MSSearch Service Writer
  '2a40fd15-dfca-4aa8-a654-1f8c654603f6': 'AppHostSvc', // IIS Config Writer
  '59b1f0cf-90ef-465f-9609-6ca8b2938366': 'IISADMIN', // IIS Metabase Writer
  'a65faa63-5ea8-4ebc-9dbd-a0c4db26912a': 'SQLWriter', // SqlServerWriter
  '66841cd4-6ded-4f4b-8f17-fd23f8ddc3de': 'vmms', // Microsoft Hyper-V VSS Writer
  'b2014c9e-8711-4c5c-a5a9-3cf384484757': 'NTDS', // NTDS
  '2707761b-2324-473d-88eb-eb007a359533': 'DFSR', // DFS Replication service writer
  'd76f5a28-3092-4589-ba48-2958fb88ce29': 'NtFrs', // FRS Writer
  'be9ac81e-3619-421f-920f-4c6fea9e93ad': 'DHCPServer', // DHCP Jet Writer
  'f08c1483-8407-4a26-8c26-6c267a629741': 'WINS', // WINS Jet Writer
  '12ce4370-5bb7-4c58-a76a-e5d5097e3674': 'srmsvc', // FSRM writer
  '6f5b15b5-da24-4d88-b737-63063e3a1f86': 'CertSvc', // Certificate Authority
  '5382579c-98df-47a7-ac6c-98a6d7106e09': 'TermServLicensing', // TermServLicensing
  '7e47b561-971a-46e6-96b9-696eeaa53b2a': 'MSMQ', // MSMQ Writer
  '82cb5521-68db-4626-83a4-7fc6f88853e9': 'WDSServer', // WDS VSS Writer
  '8d5194e1-e455-434a-b2e5-51296cce67df': 'WIDWriter', // WIDWriter
  '41db4dbf-6046-470e-8ad5-d5081dfb1b70': 'ddpvssvc', // Dedup Writer
  '76fe1ac4-15f7-4bcd-987e-8e1acb462fb7': 'MSExchangeIS', // Microsoft Exchange Writer
};

/**
 * The hosting service of each writer class, by id: on Windows the table above; on the emulator what writers.json
 * says (the emulated service knows its writers' services as Windows knows its own).
 */
export async function writerServices(service: VssService): Promise<Map<string, string>> {
  if (service.kind === 'windows') return new Map(Object.entries(WellKnownWriterServices));
  const status = await requestAt<ServiceStatus>(service.socket, 'service.status');
  return new Map(status.writers.filter((w) => w.service).map((w) => [w.writerId.toLowerCase(), w.service!]));
}

/** The writers with their hosting service filled in (null where unknown). */
export function withServices(writers: Writer[], services: Map<string, string>): Writer[] {
  return writers.map((w) => ({ ...w, service: services.get(w.writerId.toLowerCase()) ?? null }));
}
