namespace Praetor.State.Commands;

/// <summary>The first field of every encoded command. Part of the log format: never renumber, only append.</summary>
internal enum CommandType : byte
{
    Txn = 1,
    ReapTombstones = 2,
    Register = 3,
    Deregister = 4,
    Restore = 5,
    SessionCreate = 6,
    SessionDestroy = 7,
    SessionRenew = 8,
    CoordinateBatchUpdate = 9,
}

/// <summary>The kind of each transaction operation in the encoding. Never renumber, only append.</summary>
internal enum TxnOperationKind : byte
{
    Kv = 1,
}
