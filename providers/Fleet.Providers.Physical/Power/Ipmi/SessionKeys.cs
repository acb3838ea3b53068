using System.Security.Cryptography;

namespace Fleet.Providers.Physical.Power.Ipmi;

/// <summary>
/// The keys of an active RMCP+ session with cipher suite 3: K1 signs packets (HMAC-SHA1-96), the
/// first 16 bytes of K2 encrypt payloads (AES-CBC-128). Both derive from the session integrity key.
/// </summary>
internal sealed class SessionKeys(byte[] k1, byte[] k2)
{
    public const int AuthCodeLength = 12;
    public const int BlockSize = 16;

    /// <summary>K1 = HMAC_SIK(0x01 × 20) and K2 = HMAC_SIK(0x02 × 20) (IPMI v2.0 section 13.32).</summary>
    public static SessionKeys Derive(byte[] sessionIntegrityKey) =>
        new(Rakp.Hmac(sessionIntegrityKey, Constant(0x01)), Rakp.Hmac(sessionIntegrityKey, Constant(0x02)));

    public byte[] K1 => k1;

    public byte[] K2 => k2;

    /// <summary>HMAC-SHA1-96: the first 12 bytes of HMAC-SHA1 keyed with K1.</summary>
    public byte[] AuthCode(ReadOnlySpan<byte> covered) => Rakp.Hmac(k1, covered)[..AuthCodeLength];

    /// <summary>
    /// AES-CBC-128 as RMCP+ frames it (section 13.29): the IV, then the payload with pad bytes 1, 2, …, n
    /// and the pad length n appended to a whole number of blocks, encrypted.
    /// </summary>
    public byte[] Encrypt(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> iv)
    {
        var pad = (BlockSize - ((payload.Length + 1) % BlockSize)) % BlockSize;
        var plain = new byte[payload.Length + pad + 1];
        payload.CopyTo(plain);
        for (var i = 0; i < pad; i++)
        {
            plain[payload.Length + i] = (byte)(i + 1);
        }

        plain[^1] = (byte)pad;
        using var aes = Cipher();
        return [.. iv, .. aes.EncryptCbc(plain, iv, PaddingMode.None)];
    }

    /// <summary>The payload of an encrypted field; null when it is not a valid AES-CBC-128 frame.</summary>
    public byte[]? Decrypt(ReadOnlySpan<byte> field)
    {
        if (field.Length < 2 * BlockSize || field.Length % BlockSize != 0)
        {
            return null;
        }

        using var aes = Cipher();
        var plain = aes.DecryptCbc(field[BlockSize..], field[..BlockSize], PaddingMode.None);
        var pad = plain[^1];
        if (pad >= plain.Length)
        {
            return null;
        }

        for (var i = 0; i < pad; i++)
        {
            if (plain[plain.Length - 1 - pad + i] != i + 1)
            {
                return null;
            }
        }

        return plain[..(plain.Length - 1 - pad)];
    }

    private Aes Cipher()
    {
        var aes = Aes.Create();
        aes.Key = k2[..BlockSize];
        return aes;
    }

    private static byte[] Constant(byte value)
    {
        var bytes = new byte[20];
        Array.Fill(bytes, value);
        return bytes;
    }
}
