using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>
/// memberlist's security.go: AES-GCM with a 12-byte nonce and a 16-byte tag, laid out as
/// <c>[version][nonce][ciphertext][tag]</c>. Version 0 pads the plaintext with PKCS7 to a
/// 16-byte block first (memberlist speaks it at protocol version 1 only); version 1, what Serf
/// 0.9 sends, does not pad. A UDP packet is that layout alone, with no additional data; a TCP
/// stream message is <c>[10 (encryptMsg)][length: uint32 BE]</c> followed by it, the five header
/// bytes being the additional data.
/// </summary>
public static class GossipEncryption
{
    public const int VersionBytes = 1;
    public const int NonceBytes = 12;
    public const int TagBytes = 16;
    private const int BlockBytes = 16;

    /// <summary>The encryption version memberlist uses for a protocol version: 0 at protocol 1, else 1.</summary>
    public static byte VersionFor(byte protocolVersion) => protocolVersion == 1 ? (byte)0 : (byte)1;

    /// <summary>The size of <paramref name="plainBytes"/> encrypted with <paramref name="version"/> (memberlist's encryptedLength).</summary>
    public static int EncryptedLength(byte version, int plainBytes) =>
        VersionBytes + NonceBytes + plainBytes + (version == 0 ? BlockBytes - plainBytes % BlockBytes : 0) + TagBytes;

    /// <summary>
    /// Encrypts <paramref name="plain"/> with the primary key into <paramref name="destination"/>
    /// (exactly <see cref="EncryptedLength"/> bytes). <paramref name="nonce"/> is 12 random bytes
    /// from the caller (tests pass a fixed one); empty asks for fresh random bytes.
    /// </summary>
    public static void Encrypt(Keyring keyring, byte version, ReadOnlySpan<byte> plain, ReadOnlySpan<byte> additionalData, ReadOnlySpan<byte> nonce, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(keyring);
        if (version > 1) throw new ArgumentOutOfRangeException(nameof(version), version, "encryption version must be 0 or 1");
        var length = EncryptedLength(version, plain.Length);
        if (destination.Length < length) throw new ArgumentException("destination too small", nameof(destination));
        destination[0] = version;
        var nonceSpan = destination.Slice(VersionBytes, NonceBytes);
        if (nonce.IsEmpty) RandomNumberGenerator.Fill(nonceSpan);
        else if (nonce.Length != NonceBytes) throw new ArgumentException("nonce must be 12 bytes", nameof(nonce));
        else nonce.CopyTo(nonceSpan);
        var cipher = destination[(VersionBytes + NonceBytes)..(length - TagBytes)];
        var tag = destination.Slice(length - TagBytes, TagBytes);
        if (version == 0)
        {
            // PKCS7: pad to the block with the pad length (1-16), then encrypt in place.
            plain.CopyTo(cipher);
            cipher[plain.Length..].Fill((byte)(cipher.Length - plain.Length));
            keyring.Seal(nonceSpan, cipher, cipher, tag, additionalData);
        }
        else
        {
            keyring.Seal(nonceSpan, plain, cipher, tag, additionalData);
        }
    }

    /// <summary>
    /// Decrypts <paramref name="encrypted"/> (<c>[version][nonce][ciphertext][tag]</c>) into
    /// <paramref name="plainDestination"/> (at least <c>encrypted.Length</c> bytes), trying every
    /// key. On success <paramref name="plainBytes"/> is the plaintext length, padding removed.
    /// </summary>
    public static bool TryDecrypt(Keyring keyring, ReadOnlySpan<byte> encrypted, ReadOnlySpan<byte> additionalData, Span<byte> plainDestination, out int plainBytes, out DecodeError error)
    {
        ArgumentNullException.ThrowIfNull(keyring);
        plainBytes = 0;
        if (encrypted.IsEmpty) { error = DecodeError.EncryptedTooShort; return false; }
        var version = encrypted[0];
        if (version > 1) { error = DecodeError.UnsupportedEncryptionVersion; return false; }
        if (encrypted.Length < EncryptedLength(version, 0)) { error = DecodeError.EncryptedTooShort; return false; }
        var nonce = encrypted.Slice(VersionBytes, NonceBytes);
        var cipher = encrypted[(VersionBytes + NonceBytes)..^TagBytes];
        var tag = encrypted[^TagBytes..];
        var plain = plainDestination[..cipher.Length];
        if (!keyring.TryOpen(nonce, cipher, tag, plain, additionalData)) { error = DecodeError.NoKeyDecrypts; return false; }
        plainBytes = cipher.Length;
        if (version == 0)
        {
            // Go slices off buf[n-1] bytes unchecked (and panics on a bad pad); authenticated
            // plaintext from a key holder can still be wrong, so check it.
            var pad = plain[^1];
            if (pad is 0 or > BlockBytes || pad > plain.Length) { error = DecodeError.BadPadding; return false; }
            plainBytes -= pad;
        }
        error = DecodeError.None;
        return true;
    }

    /// <summary>Writes the 5-byte TCP header <c>[10][length BE]</c> (also the additional data) for an encrypted stream message of <paramref name="encryptedBytes"/>.</summary>
    internal static void WriteStreamHeader(Span<byte> header, int encryptedBytes)
    {
        header[0] = (byte)MessageType.Encrypt;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)encryptedBytes);
    }
}
