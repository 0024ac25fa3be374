import COpenSSL

/// OpenSSL for the life of the process: initialised without its exit-time
/// cleanup, which would free state that the ICE and DTLS threads may still be
/// using while `exit` runs (seen as a crash on quit in the middle of ICE checks).
public enum OpenSSLLifetime {
    /// Call before anything else touches OpenSSL.
    public static func keepUntilExit() {
        _ = call_OPENSSL_init_without_atexit()
    }
}
