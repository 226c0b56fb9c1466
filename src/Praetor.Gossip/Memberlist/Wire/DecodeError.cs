namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>
/// Why a gossip packet or stream (or one part of it) was dropped. Every malformed input maps to
/// one of these; the codec never throws on what arrives from the network. The names are meant
/// for a metric label (<c>memberlist.udp.dropped{reason}</c>) as much as for a log line.
/// </summary>
public enum DecodeError : byte
{
    /// <summary>Nothing wrong.</summary>
    None = 0,

    /// <summary>A packet or message of zero bytes.</summary>
    Empty,

    /// <summary>A message type byte that memberlist does not send in this place (unknown, or e.g. push/pull in a UDP packet).</summary>
    UnknownMessageType,

    /// <summary>The input ends inside a msgpack value, a compound part, a length-prefixed block or the user state.</summary>
    Truncated,

    /// <summary>Bytes that are not msgpack (a reserved code), or nested deeper than the reader follows.</summary>
    MalformedMsgpack,

    /// <summary>A msgpack value of the wrong type for its field (e.g. a string where memberlist has a uint32), or a body that is not a map.</summary>
    WrongType,

    /// <summary>A value of the right type but out of range: a negative or oversized count, a number too large for its field, a Vsn shorter than six bytes.</summary>
    InvalidValue,

    /// <summary>A compound message whose header (count byte and lengths) is cut short.</summary>
    CompoundHeaderTruncated,

    /// <summary>A compound message whose trailing parts are cut short (memberlist keeps the complete parts and logs the rest).</summary>
    CompoundPartsTruncated,

    /// <summary>A hasCrc packet whose CRC32 does not match its payload.</summary>
    CrcMismatch,

    /// <summary>A compress message naming an algorithm other than LZW (0).</summary>
    UnknownCompression,

    /// <summary>LZW data that does not decode (an invalid code, or no end code), or that expands past the size limit.</summary>
    CorruptCompression,

    /// <summary>Compound, compress or CRC wrappers nested deeper than memberlist ever sends them.</summary>
    NestingTooDeep,

    /// <summary>Encryption is required (a keyring, GossipVerifyIncoming) and the input did not decrypt, or a stream was not encrypted.</summary>
    NotEncrypted,

    /// <summary>An encrypted stream arrived and no keyring is configured.</summary>
    EncryptionNotConfigured,

    /// <summary>An encryption version byte other than 0 or 1.</summary>
    UnsupportedEncryptionVersion,

    /// <summary>Encrypted input shorter than version + nonce + tag (+ a padding block for version 0).</summary>
    EncryptedTooShort,

    /// <summary>No key of the keyring authenticates the ciphertext (a wrong key, or tampering).</summary>
    NoKeyDecrypts,

    /// <summary>Version-0 plaintext whose PKCS7 padding is not 1-16 bytes of the pad length.</summary>
    BadPadding,

    /// <summary>A stream message larger than <see cref="WireLimits.StreamBytesMax"/> (memberlist's maxPushStateBytes).</summary>
    TooLarge,
}
