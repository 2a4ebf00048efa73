/* boot_rom.S: cpu_link's boot ROM (gateware/cpu_link_rom.v: 256 x 16 bits in one EBR, the bitstream's contents,
 * at 0x8000, where the processor starts when cpu_link's BOOT_ROM is 1). It copies the firmware from the
 * configuration SPI flash into the SPRAM and jumps to it, as host/fpga/firmware-image.ts packs it:
 *   bytes 0..3   magic "NLFW"
 *   bytes 4..7   payload length in bytes, little-endian: even, 2 .. 32768 (the SPRAM)
 *   bytes 8..11  CRC-32 (IEEE, reflected, as core/crc32.ts and gateware/crc32.v) of the payload, little-endian
 *   bytes 12..   the payload, stored from RAM address 0 on
 * The iCE40 leaves the flash in deep power-down after configuring itself: first RELEASE POWER-DOWN (0xAB, a CS
 * frame of its own), a wait of at least tRES1 (3 us on the iCEBreaker's W25Q128JV: 36 cycles at 12 MHz), then ONE
 * READ (0x03, address OFFSET: 1 MiB) frame reads the image in order. A bad magic or length ends the read at once; a CRC
 * that does not match ends it after the payload. Either lights the red LED and stops here (no silent wrong
 * firmware); a good image lights the green one and jumps to address 0. Afterwards the flash is deselected and awake.
 * The SPI pins are bit-banged through BOOT_IO (cpu_link register 31): a store sets bit 0 CS (high: deselected),
 * bit 1 SCK, bit 7 MOSI, bit 2 the red LED, bit 3 the green one; a load reads MISO in bit 0 (0 above it). Mode 0,
 * MSB first: SCK idles low, MOSI changes with SCK's falling store, MISO is read while SCK is low (the flash drives
 * it from the falling edge), before SCK rises.
 * Registers: s0 the I/O base, s2 the length, s3 the header's CRC, s4 the running CRC, s5 the RAM address, s6 the
 * CRC table; no stack (the RAM is the firmware's). Build: make -C gateware/firmware install-boot-rom. */
        .equ BOOT_IO, 124           /* register 31 of the I/O space (0x8000_0000) */
        .equ CSN, 1
        .equ SCK, 2
        .equ RED, 4
        .equ GREEN, 8
        .equ MOSI, 128
        .equ MAGIC, 0x57464C4E      /* "NLFW" read little-endian */
        .equ MAX_BYTES, 32768       /* the largest payload: the SPRAM (host/fpga/firmware-image.ts FIRMWARE_MAX_BYTES) */
        .equ OFFSET, 0x100000       /* the image's byte address in the flash (FIRMWARE_FLASH_OFFSET) */

        .section .text
        .globl _start
_start:
        lui   s0, 0x80000
        li    a0, 0xAB              /* RELEASE POWER-DOWN */
        jal   xfer
        sw    zero, BOOT_IO(s0)     /* SCK low, then CS high */
        li    t0, CSN
        sw    t0, BOOT_IO(s0)
        li    t0, 12                /* tRES1: at least 36 cycles (12 turns of ~9) */
1:      addi  t0, t0, -1
        bnez  t0, 1b
        li    a0, 0x03              /* READ at OFFSET */
        jal   xfer
        li    a0, (OFFSET >> 16) & 255
        jal   xfer
        li    a0, (OFFSET >> 8) & 255
        jal   xfer
        li    a0, OFFSET & 255
        jal   xfer
        jal   word                  /* the magic */
        li    t0, MAGIC
        bne   a0, t0, fail
        jal   word                  /* the length: even, 2 .. MAX_BYTES */
        mv    s2, a0
        andi  t0, a0, 1
        bnez  t0, fail
        beqz  a0, fail
        li    t0, MAX_BYTES + 1
        bgeu  a0, t0, fail
        jal   word                  /* the CRC */
        mv    s3, a0
        li    s4, -1
        li    s5, 0
        la    s6, table
copy:   li    a0, 0
        jal   xfer
        sb    a0, 0(s5)
        addi  s5, s5, 1
        xor   s4, s4, a0            /* CRC-32, a nibble at a time: crc = (crc >> 4) ^ table[crc & 15], twice */
        andi  t0, s4, 15
        slli  t0, t0, 2
        add   t0, t0, s6
        lw    t0, 0(t0)
        srli  s4, s4, 4
        xor   s4, s4, t0
        andi  t0, s4, 15
        slli  t0, t0, 2
        add   t0, t0, s6
        lw    t0, 0(t0)
        srli  s4, s4, 4
        xor   s4, s4, t0
        bne   s5, s2, copy
        not   s4, s4
        bne   s4, s3, fail
        sw    zero, BOOT_IO(s0)     /* SCK low, then CS high with the green LED: the firmware runs */
        li    t0, CSN | GREEN
        sw    t0, BOOT_IO(s0)
        jr    zero
fail:   sw    zero, BOOT_IO(s0)     /* SCK low, then CS high with the red LED; stop */
        li    t0, CSN | RED
        sw    t0, BOOT_IO(s0)
2:      j     2b

/* word: four bytes read, little-endian, into a0 (s7, s8, s9 and xfer's registers used) */
word:   mv    s8, ra
        li    s7, 0
        li    s9, 0
1:      li    a0, 0
        jal   xfer
        sll   a0, a0, s9
        or    s7, s7, a0
        addi  s9, s9, 8
        li    t0, 32
        bne   s9, t0, 1b
        mv    a0, s7
        jr    s8

/* xfer: one SPI byte with CS low: a0's bits 7..0 out on MOSI, MSB first; the byte read from MISO in a0. SCK is
 * left high: the next store lowers it. */
xfer:   li    t2, 8
1:      andi  t0, a0, MOSI          /* SCK low, CS low, MOSI = the next bit */
        sw    t0, BOOT_IO(s0)
        lw    t1, BOOT_IO(s0)       /* MISO, valid from the falling edge */
        ori   t0, t0, SCK
        sw    t0, BOOT_IO(s0)       /* SCK high: the flash samples MOSI */
        slli  a0, a0, 1
        or    a0, a0, t1
        addi  t2, t2, -1
        bnez  t2, 1b
        andi  a0, a0, 255
        ret

/* the CRC-32 of each nibble value (polynomial 0xEDB88320, reflected) */
        .balign 4
table:  .word 0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C
        .word 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C
