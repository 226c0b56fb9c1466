using System.Security.Cryptography;

namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>
/// The gossip encryption keys (memberlist's Keyring): the primary key encrypts everything sent;
/// every key is tried when decrypting, so a rotation (install a key everywhere, make it primary,
/// remove the old one) never drops traffic. Keys are AES-128/192/256 keys (16, 24 or 32 bytes;
/// Serf's <c>keygen</c> makes 32).
/// </summary>
/// <remarks>
/// Immutable: <see cref="WithKey"/>, <see cref="WithPrimary"/> and <see cref="WithoutKey"/> return
/// a new keyring, so a host swaps its reference atomically and a receive loop in the middle of a
/// packet keeps a consistent set. Safe to use from any number of threads at once; each key's
/// <see cref="AesGcm"/> is created once and used under its own lock.
/// </remarks>
public sealed class Keyring
{
    private readonly KeyEntry[] _keys; // primary first
    private int _lastDecryptIndex;

    /// <summary>A keyring of <paramref name="primaryKey"/> plus <paramref name="secondaryKeys"/> (duplicates of the primary are dropped).</summary>
    /// <exception cref="ArgumentException">A key is not 16, 24 or 32 bytes long.</exception>
    public Keyring(byte[] primaryKey, IEnumerable<byte[]>? secondaryKeys = null)
    {
        ArgumentNullException.ThrowIfNull(primaryKey);
        var keys = new List<KeyEntry> { new(Validate(primaryKey)) };
        foreach (var key in secondaryKeys ?? [])
        {
            Validate(key);
            if (!keys.Exists(k => k.Key.AsSpan().SequenceEqual(key))) keys.Add(new KeyEntry(key));
        }
        _keys = [.. keys];
    }

    private Keyring(KeyEntry[] keys) => _keys = keys;

    /// <summary>The key that encrypts.</summary>
    public ReadOnlySpan<byte> PrimaryKey => _keys[0].Key;

    /// <summary>All keys, primary first (copies).</summary>
    public IReadOnlyList<byte[]> Keys => Array.ConvertAll(_keys, k => (byte[])k.Key.Clone());

    /// <summary>How many keys the ring holds.</summary>
    public int Count => _keys.Length;

    /// <summary>Returns a keyring that also holds <paramref name="key"/> as a secondary key (memberlist's AddKey).</summary>
    public Keyring WithKey(byte[] key)
    {
        Validate(key);
        if (IndexOf(key) >= 0) return this;
        return new Keyring([.. _keys, new KeyEntry((byte[])key.Clone())]);
    }

    /// <summary>Returns a keyring whose primary key is <paramref name="key"/>, which must be installed (memberlist's UseKey).</summary>
    /// <exception cref="ArgumentException">The key is not in the keyring.</exception>
    public Keyring WithPrimary(byte[] key)
    {
        var index = IndexOf(key);
        if (index < 0) throw new ArgumentException("Requested key is not in the keyring", nameof(key));
        if (index == 0) return this;
        var keys = new List<KeyEntry>(_keys);
        var entry = keys[index];
        keys.RemoveAt(index);
        keys.Insert(0, entry);
        return new Keyring([.. keys]);
    }

    /// <summary>Returns a keyring without <paramref name="key"/>; the primary key cannot be removed (memberlist's RemoveKey).</summary>
    /// <exception cref="ArgumentException">The key is the primary key.</exception>
    public Keyring WithoutKey(byte[] key)
    {
        var index = IndexOf(key);
        if (index == 0) throw new ArgumentException("Removing the primary key is not allowed", nameof(key));
        if (index < 0) return this;
        var keys = new List<KeyEntry>(_keys);
        keys.RemoveAt(index);
        return new Keyring([.. keys]);
    }

    /// <summary>True when <paramref name="key"/> is in the keyring.</summary>
    public bool Contains(ReadOnlySpan<byte> key) => IndexOf(key) >= 0;

    /// <summary>True for a valid AES key length (16, 24 or 32 bytes).</summary>
    public static bool IsValidKeyLength(int length) => length is 16 or 24 or 32;

    internal void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plain, Span<byte> cipher, Span<byte> tag, ReadOnlySpan<byte> additionalData)
    {
        var entry = _keys[0];
        lock (entry.Lock) entry.Gcm.Encrypt(nonce, plain, cipher, tag, additionalData);
    }

    /// <summary>Tries every key (the one that last worked first: only one can authenticate, so the order changes nothing but cost).</summary>
    internal bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> cipher, ReadOnlySpan<byte> tag, Span<byte> plain, ReadOnlySpan<byte> additionalData)
    {
        var first = Volatile.Read(ref _lastDecryptIndex);
        if (first >= _keys.Length) first = 0;
        for (var n = 0; n < _keys.Length; n++)
        {
            var index = (first + n) % _keys.Length;
            var entry = _keys[index];
            try
            {
                lock (entry.Lock) entry.Gcm.Decrypt(nonce, cipher, tag, plain, additionalData);
                if (index != first) Volatile.Write(ref _lastDecryptIndex, index);
                return true;
            }
            catch (CryptographicException)
            {
                // AesGcm reports a wrong key or a forged packet only by throwing; it stops here.
            }
        }
        return false;
    }

    private int IndexOf(ReadOnlySpan<byte> key)
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            if (_keys[i].Key.AsSpan().SequenceEqual(key)) return i;
        }
        return -1;
    }

    private static byte[] Validate(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsValidKeyLength(key.Length)) throw new ArgumentException("key size must be 16, 24 or 32 bytes", nameof(key));
        return key;
    }

    private sealed class KeyEntry(byte[] key)
    {
        public byte[] Key { get; } = key;

        public AesGcm Gcm { get; } = new(key, GossipEncryption.TagBytes);

        public Lock Lock { get; } = new();
    }
}
