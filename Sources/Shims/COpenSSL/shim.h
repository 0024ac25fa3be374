#ifndef CALL_SHIM_OPENSSL_H
#define CALL_SHIM_OPENSSL_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/rand.h>
#include <openssl/pem.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/crypto.h>
#include <openssl/srtp.h>
#include <sys/time.h>

// These are macros over SSL_CTX_ctrl / BIO_ctrl / SSL_ctrl and do not import.
static inline long call_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long call_BIO_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }
static inline long call_DTLS_set_link_mtu(SSL *ssl, long mtu) { return DTLS_set_link_mtu(ssl, mtu); }
static inline int call_SSL_CTX_set1_groups_list(SSL_CTX *ctx, const char *list) { return (int)SSL_CTX_set1_groups_list(ctx, list); }
static inline long call_SSL_set_mtu(SSL *ssl, long mtu) { return SSL_set_mtu(ssl, mtu); }
static inline long call_DTLSv1_get_timeout(SSL *ssl, struct timeval *tv) { return DTLSv1_get_timeout(ssl, tv); }
static inline long call_DTLSv1_handle_timeout(SSL *ssl) { return DTLSv1_handle_timeout(ssl); }
// MBSTRING_ASC is an expression macro.
static inline int call_MBSTRING_ASC(void) { return MBSTRING_ASC; }

// No atexit cleanup: other threads (ICE integrity checks, DTLS) may still be in
// OpenSSL while the process exits, and its cleanup would pull state from under them.
static inline int call_OPENSSL_init_without_atexit(void) {
    return OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL) && OPENSSL_init_ssl(OPENSSL_INIT_NO_ATEXIT, NULL);
}

// --- Added for DTLSEndpoint (DTLS-SRTP layer) ---
static inline int call_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) { return (int)SSL_CTX_set_min_proto_version(ctx, version); }
// SSL_OP_* are cast expressions (SSL_OP_BIT(n)).
static inline uint64_t call_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }
static inline uint64_t call_SSL_OP_NO_QUERY_MTU(void) { return SSL_OP_NO_QUERY_MTU; }
static inline uint64_t call_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
// BIO retry flag helpers are macros over BIO_set_flags / BIO_clear_flags.
static inline void call_BIO_set_retry_read(BIO *bio) { BIO_set_retry_read(bio); }
static inline void call_BIO_clear_retry_flags(BIO *bio) { BIO_clear_retry_flags(bio); }
// SSL_get_app_data / SSL_set_app_data are macros over the ex_data index 0.
static inline int call_SSL_set_app_data(SSL *ssl, void *data) { return SSL_set_app_data(ssl, data); }
static inline void *call_SSL_get_app_data(const SSL *ssl) { return SSL_get_app_data(ssl); }
#endif
