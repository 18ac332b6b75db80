/* L2 probe of the vfiogen end-to-end test: a freestanding program that runs on the bare L2
 * machine (no OS, no libraries) and proves that the PCI function L1 passed through with VFIO
 * really works from inside the guest.
 *
 * It scans PCI configuration space with configuration mechanism #1 (ports 0xCF8/0xCFC), prints
 * every function it finds, and on QEMU's edu device (1234:11e8, QEMU docs/specs/edu.rst) checks:
 *   - the identification register (BAR0 offset 0x00) reads 0x010000ed (version 1.0);
 *   - the liveness register (BAR0 offset 0x04) returns the bitwise inverse of what was written;
 *   - DMA: 2048 bytes go from guest RAM into the device buffer (device address 0x40000) and back
 *     into a zeroed second buffer, compared byte by byte (registers 0x80 source, 0x88
 *     destination, 0x90 count, 0x98 command: bit 0 start, bit 1 direction device->RAM).
 * Results are lines on the first serial port (0x3F8), which L1 reads from L2's serial log:
 *   L2-START, L2-PCI BB:DD.F VVVV:DDDD, L2-EDU ..., L2-PASS <check> ... / L2-FAIL <check> ...,
 *   L2-NOEDU when no edu device is present, and L2-DONE last. */

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
    u8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u32 inl(u16 port)
{
    u32 v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* ---- serial output (16550 at 0x3F8, as QEMU's -serial sets it up) ---- */
enum { COM1 = 0x3F8, LSR_THR_EMPTY = 0x20 };

static void put_char(char c)
{
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & LSR_THR_EMPTY); ++i) {
    }
    outb(COM1, (u8)c);
}

static void put_str(const char *s)
{
    for (; *s; ++s) {
        if (*s == '\n')
            put_char('\r');
        put_char(*s);
    }
}

/* hex with exactly `digits` digits */
static void put_hex(u32 v, int digits)
{
    static const char hex[] = "0123456789abcdef";
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        put_char(hex[(v >> shift) & 0xF]);
}

static void put_dec(u32 v)
{
    char buf[11];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put_char(buf[--n]);
}

/* ---- PCI configuration mechanism #1 ---- */
static u32 pci_read32(u32 bus, u32 dev, u32 fn, u32 off)
{
    outl(0xCF8, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (off & 0xFC));
    return inl(0xCFC);
}

static void pci_write32(u32 bus, u32 dev, u32 fn, u32 off, u32 v)
{
    outl(0xCF8, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (off & 0xFC));
    outl(0xCFC, v);
}

/* ---- edu ---- */
enum {
    EDU_ID = 0x00,
    EDU_LIVENESS = 0x04,
    EDU_DMA_SRC = 0x80,
    EDU_DMA_DST = 0x88,
    EDU_DMA_COUNT = 0x90,
    EDU_DMA_CMD = 0x98,
    EDU_DMA_RUN = 0x1,
    EDU_DMA_TO_RAM = 0x2,
    EDU_DEVICE_BUFFER = 0x40000,
    /* edu's buffer is 4096 bytes, but QEMU 7.2's range check (hw/misc/edu.c) rejects a
     * transfer that ends exactly at its end, and a rejected range aborts the emulating QEMU. */
    DMA_BYTES = 2048,
};

static inline u32 mmio_read32(u32 addr) { return *(volatile u32 *)addr; }
static inline void mmio_write32(u32 addr, u32 v) { *(volatile u32 *)addr = v; }

static u8 dma_out[DMA_BYTES] __attribute__((aligned(4096)));
static u8 dma_in[DMA_BYTES] __attribute__((aligned(4096)));

static void fail(const char *check, const char *what)
{
    put_str("L2-FAIL ");
    put_str(check);
    put_str(" ");
    put_str(what);
    put_str("\n");
}

/* Starts one edu DMA transfer and waits for the device to clear its run bit.
 * Returns 1 when the transfer finished, 0 on timeout. */
static int edu_dma(u32 bar, u32 src, u32 dst, u32 count, u32 cmd)
{
    mmio_write32(bar + EDU_DMA_SRC, src);
    mmio_write32(bar + EDU_DMA_DST, dst);
    mmio_write32(bar + EDU_DMA_COUNT, count);
    mmio_write32(bar + EDU_DMA_CMD, cmd | EDU_DMA_RUN);
    /* edu finishes a transfer from a 100 ms timer; every poll is an MMIO exit through VFIO. */
    for (u32 i = 0; i < 20000000u; ++i) {
        if (!(mmio_read32(bar + EDU_DMA_CMD) & EDU_DMA_RUN))
            return 1;
    }
    return 0;
}

static void test_edu(u32 bus, u32 dev, u32 fn)
{
    u32 bar0 = pci_read32(bus, dev, fn, 0x10);
    put_str("L2-EDU ");
    put_hex(bus, 2);
    put_char(':');
    put_hex(dev, 2);
    put_char('.');
    put_hex(fn, 1);
    put_str(" bar0 0x");
    put_hex(bar0, 8);
    put_str("\n");
    if (bar0 & 1) {
        fail("edu-bar0", "is an I/O BAR, expected memory");
        return;
    }
    u32 bar = bar0 & ~0xFu;
    if (bar == 0) {
        fail("edu-bar0", "is not assigned by the firmware");
        return;
    }
    /* memory space + bus master: the firmware need not have enabled bus mastering */
    u32 cmd = pci_read32(bus, dev, fn, 0x04);
    pci_write32(bus, dev, fn, 0x04, (cmd & 0xFFFFu) | 0x2 | 0x4);

    u32 id = mmio_read32(bar + EDU_ID);
    if (id == 0x010000edu) {
        put_str("L2-PASS edu-id 0x010000ed\n");
    } else {
        put_str("L2-FAIL edu-id got 0x");
        put_hex(id, 8);
        put_str(" expected 0x010000ed\n");
    }

    const u32 probe = 0x5aa5c33cu;
    mmio_write32(bar + EDU_LIVENESS, probe);
    u32 back = mmio_read32(bar + EDU_LIVENESS);
    if (back == ~probe) {
        put_str("L2-PASS edu-liveness wrote 0x5aa5c33c read 0x");
        put_hex(back, 8);
        put_str("\n");
    } else {
        put_str("L2-FAIL edu-liveness wrote 0x5aa5c33c read 0x");
        put_hex(back, 8);
        put_str("\n");
    }

    for (u32 i = 0; i < DMA_BYTES; ++i) {
        dma_out[i] = (u8)(i * 7u + (i >> 8) + 0x3d);
        dma_in[i] = 0;
    }
    if (!edu_dma(bar, (u32)dma_out, EDU_DEVICE_BUFFER, DMA_BYTES, 0)) {
        fail("edu-dma", "RAM->device transfer did not finish");
        return;
    }
    if (!edu_dma(bar, EDU_DEVICE_BUFFER, (u32)dma_in, DMA_BYTES, EDU_DMA_TO_RAM)) {
        fail("edu-dma", "device->RAM transfer did not finish");
        return;
    }
    for (u32 i = 0; i < DMA_BYTES; ++i) {
        if (dma_in[i] != dma_out[i]) {
            put_str("L2-FAIL edu-dma mismatch at byte ");
            put_dec(i);
            put_str(": sent 0x");
            put_hex(dma_out[i], 2);
            put_str(" got 0x");
            put_hex(dma_in[i], 2);
            put_str("\n");
            return;
        }
    }
    put_str("L2-PASS edu-dma ");
    put_dec(DMA_BYTES);
    put_str(" bytes RAM->device->RAM at 0x");
    put_hex((u32)dma_out, 8);
    put_str("/0x");
    put_hex((u32)dma_in, 8);
    put_str("\n");
}

void probe_main(void)
{
    int edu_found = 0;
    put_str("\nL2-START\n");
    for (u32 bus = 0; bus < 256; ++bus) {
        for (u32 dev = 0; dev < 32; ++dev) {
            u32 functions = 1;
            for (u32 fn = 0; fn < functions; ++fn) {
                u32 id = pci_read32(bus, dev, fn, 0x00);
                if ((id & 0xFFFF) == 0xFFFF)
                    continue;
                if (fn == 0 && (pci_read32(bus, dev, 0, 0x0C) >> 16 & 0x80))
                    functions = 8; /* multifunction device */
                put_str("L2-PCI ");
                put_hex(bus, 2);
                put_char(':');
                put_hex(dev, 2);
                put_char('.');
                put_hex(fn, 1);
                put_char(' ');
                put_hex(id & 0xFFFF, 4);
                put_char(':');
                put_hex(id >> 16, 4);
                put_str("\n");
                if (id == 0x11e81234u) {
                    edu_found = 1;
                    test_edu(bus, dev, fn);
                }
            }
        }
    }
    if (!edu_found)
        put_str("L2-NOEDU\n");
    put_str("L2-DONE\n");
}
