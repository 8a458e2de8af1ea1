import CSodium

/// The only file that talks to libsodium. Each wrapper names the function it
/// calls; the rest of the library sees Swift types only.
enum Sodium {
    static let keyBytes = Int(crypto_aead_aes256gcm_KEYBYTES)
    static let nonceBytes = Int(crypto_aead_aes256gcm_NPUBBYTES)
    static let tagBytes = Int(crypto_aead_aes256gcm_ABYTES)

    private static let initialised: Bool = sodium_init() >= 0

    /// Stands in for the base address of an empty buffer, which libsodium
    /// requires to be non-null even when it reads no bytes from it.
    nonisolated(unsafe) private static let emptyBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

    private static func bytes(_ buffer: UnsafeRawBufferPointer) -> UnsafePointer<UInt8> {
        UnsafePointer(buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(emptyBuffer))
    }

    private static func bytes(_ buffer: UnsafeMutableRawBufferPointer) -> UnsafeMutablePointer<UInt8> {
        buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? emptyBuffer
    }

    /// `sodium_init` once, then `crypto_aead_aes256gcm_is_available`.
    /// Test seam: makes `requireAES256GCM` fail as on a CPU without AES-NI,
    /// which no machine here lacks.
    nonisolated(unsafe) static var pretendAES256GCMUnavailable = false

    static func requireAES256GCM() throws {
        guard initialised else { throw TicketError.cryptoUnavailable("libsodium failed to initialise") }
        guard crypto_aead_aes256gcm_is_available() != 0, !pretendAES256GCMUnavailable else {
            throw TicketError.cryptoUnavailable(
                "AES-256-GCM is not available on this CPU (libsodium needs AES-NI and PCLMUL)")
        }
    }

    /// `crypto_hash_sha256` of `input` into `output` (32 bytes).
    static func sha256(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count == Int(crypto_hash_sha256_BYTES))
        _ = crypto_hash_sha256(
            bytes(output),
            bytes(input), UInt64(input.count))
    }

    /// `randombytes_buf`.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { randombytes_buf(base, buffer.count) }
        }
        return bytes
    }

    /// `sodium_memzero`.
    static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        sodium_memzero(base, buffer.count)
    }

    /// `sodium_malloc`: guarded memory that `free` wipes.
    static func allocate(_ count: Int) -> UnsafeMutableRawBufferPointer? {
        guard let pointer = sodium_malloc(max(count, 1)) else { return nil }
        return UnsafeMutableRawBufferPointer(start: pointer, count: count)
    }

    /// `sodium_free`, which zeroes the memory before releasing it.
    static func free(_ buffer: UnsafeMutableRawBufferPointer) {
        sodium_free(buffer.baseAddress)
    }

    /// `crypto_aead_aes256gcm_encrypt_detached`: encrypts `message` into
    /// `ciphertext` (same length) and writes the standard 16-byte tag.
    static func sealDetached(
        message: UnsafeRawBufferPointer, ciphertext: UnsafeMutableRawBufferPointer,
        tag: UnsafeMutableRawBufferPointer, additionalData: UnsafeRawBufferPointer,
        nonce: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer
    ) {
        precondition(ciphertext.count == message.count && tag.count == tagBytes)
        var tagLength: UInt64 = 0
        _ = crypto_aead_aes256gcm_encrypt_detached(
            bytes(ciphertext),
            bytes(tag), &tagLength,
            bytes(message), UInt64(message.count),
            bytes(additionalData),
            UInt64(additionalData.count), nil,
            bytes(nonce),
            bytes(key))
    }

    /// `crypto_aead_aes256gcm_decrypt_detached`: false when the tag does not
    /// verify, in which case `message` holds no plaintext.
    static func openDetached(
        ciphertext: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer,
        message: UnsafeMutableRawBufferPointer, additionalData: UnsafeRawBufferPointer,
        nonce: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer
    ) -> Bool {
        precondition(ciphertext.count == message.count && tag.count == tagBytes)
        return crypto_aead_aes256gcm_decrypt_detached(
            bytes(message), nil,
            bytes(ciphertext),
            UInt64(ciphertext.count),
            bytes(tag),
            bytes(additionalData),
            UInt64(additionalData.count),
            bytes(nonce),
            bytes(key)) == 0
    }

    /// `sodium_hex2bin`, accepting only input that is entirely hex digits.
    static func hexDecode(_ hex: [UInt8]) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var output = [UInt8](repeating: 0, count: hex.count / 2)
        var decodedLength = 0
        let status = output.withUnsafeMutableBytes { binary in
            hex.withUnsafeBytes { text in
                text.withMemoryRebound(to: CChar.self) { characters in
                    sodium_hex2bin(
                        bytes(binary), binary.count, characters.baseAddress ?? UnsafePointer(OpaquePointer(emptyBuffer)),
                        characters.count, nil, &decodedLength, nil)
                }
            }
        }
        guard status == 0, decodedLength == output.count else { return nil }
        return output
    }
}
