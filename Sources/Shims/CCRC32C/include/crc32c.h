#ifndef CALL_CRC32C_H
#define CALL_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the CRC32 instruction (x86-64 with SSE 4.2), else 0.
int call_crc32c_hardware(void);

/// The CRC-32C register after `count` bytes at `data` (no initial or final inversion),
/// with the CPU's CRC32 instruction; only when call_crc32c_hardware() is 1.
uint32_t call_crc32c_update(uint32_t crc, const uint8_t *data, size_t count);

#endif
