// SCTP's checksum (RFC 9260 §6.8) is CRC-32C, the polynomial that SSE 4.2's
// CRC32 instruction computes: eight bytes a cycle or so, against about one byte a cycle
// for sliced tables. Swift cannot reach the instruction, hence this file.
#include "crc32c.h"
#include <string.h>

#if defined(__x86_64__)

int call_crc32c_hardware(void) {
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

__attribute__((target("sse4.2")))
uint32_t call_crc32c_update(uint32_t crc, const uint8_t *data, size_t count) {
    uint64_t register64 = crc;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, data, 8);  // unaligned loads are fine on x86
        register64 = __builtin_ia32_crc32di(register64, word);
        data += 8;
        count -= 8;
    }
    uint32_t register32 = (uint32_t)register64;
    while (count > 0) {
        register32 = __builtin_ia32_crc32qi(register32, *data);
        data += 1;
        count -= 1;
    }
    return register32;
}

#else

int call_crc32c_hardware(void) { return 0; }

uint32_t call_crc32c_update(uint32_t crc, const uint8_t *data, size_t count) {
    (void)data;
    (void)count;
    return crc;
}

#endif
