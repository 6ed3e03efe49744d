function ConvertTo-VssWriter {
    param([Parameter(ValueFromPipeline)] $Writer)
    process {
        [pscustomobject]@{
            PSTypeName = 'VssSession.Writer'
            Name       = $Writer.name
            WriterId   = [guid]$Writer.writerId
            InstanceId = [guid]$Writer.instanceId
            State      = $Writer.state
            LastError  = $Writer.lastError
            Service    = $Writer.service
        }
    }
}
