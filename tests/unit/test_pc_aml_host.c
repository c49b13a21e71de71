/*
 * The PC's AML region handlers (kernel/platform/pc_aml_host.c) against a
 * model of PCI configuration space reachable two ways, CF8h/CFCh
 * (PCI Local Bus 3.0, 3.2.2.3.2) and ECAM through the MCFG's window
 * (PCI Express 4.0, 7.2.2), plus fake port I/O and firmware memory:
 *
 *   - PCI_Config goes by ECAM when a window covers the function, else by
 *     CF8 on segment 0's first 256 bytes, else it is refused (said);
 *   - an unaligned access is split into bytes, 64 bits into dwords, and
 *     reads back what the model holds either way;
 *   - SystemIO and SystemMemory refuse what is out of reach (counted,
 *     said with the region's path); widths other than 8/16/32/64 too;
 *   - a space with no handler is -ENODEV until a handler is set.
 *
 * The source is included with the port I/O, the mappings and the
 * console/notify hooks renamed to this file's fakes.
 */
#include <stdlib.h>
#include <string.h>

#define arch_pio_read8	  host_model_pio_read8
#define arch_pio_read16	  host_model_pio_read16
#define arch_pio_read32	  host_model_pio_read32
#define arch_pio_write8	  host_model_pio_write8
#define arch_pio_write16  host_model_pio_write16
#define arch_pio_write32  host_model_pio_write32
#define firmware_map	  host_fake_firmware_map
#define ioremap		  host_fake_ioremap
#define iounmap		  host_fake_iounmap
#define msleep		  host_fake_msleep
#define time_ns		  host_fake_time_ns
#define aml_node_path	  host_fake_aml_node_path
#define acpi_notify_queue host_fake_notify_queue
#define acpi_notify_print host_fake_notify_print
#define acpi_gpe_print	  host_fake_gpe_print
#include "platform/pc_aml_host.c"

#include "firmware/acpi/mcfg.h"
#include "fake_arch.h"
#include "unit.h"

/* ---- PCI configuration space: two functions, 4 KiB each ---- */

#define ECAM_BASE 0xe0000000ull
static uint8_t cfg_lpc[4096];  /* 00:1f.0 */
static uint8_t cfg_nic[4096];  /* 00:03.0 */
static uint8_t cfg_none[4096]; /* anything else: all ones */
static uint32_t cf8;
static unsigned int cf8_writes, ioremaps, iounmaps;

static uint8_t *function_space(unsigned int bus, unsigned int dev,
			       unsigned int fn)
{
	if (bus == 0 && dev == 0x1f && fn == 0) {
		return cfg_lpc;
	}
	if (bus == 0 && dev == 3 && fn == 0) {
		return cfg_nic;
	}
	memset(cfg_none, 0xff, sizeof(cfg_none));
	return cfg_none;
}

/* The bytes at the data port p (0xcfc-0xcff) for the latched address. */
static uint8_t *cf8_target(uint16_t port)
{
	if (!(cf8 & (1u << 31))) {
		memset(cfg_none, 0xff, sizeof(cfg_none));
		return cfg_none;
	}
	return function_space((cf8 >> 16) & 0xff, (cf8 >> 11) & 31,
			      (cf8 >> 8) & 7) +
	       (cf8 & 0xfc) + (port - 0xcfc);
}

/* Other ports: a 64 KiB array, so SystemIO accesses can be seen. */
static uint8_t ports[0x10000];

static uint8_t *port_at(uint16_t port)
{
	return port >= 0xcfc && port <= 0xcff ? cf8_target(port) : &ports[port];
}

uint8_t host_model_pio_read8(uint16_t port)
{
	return *port_at(port);
}

uint16_t host_model_pio_read16(uint16_t port)
{
	uint16_t v;

	memcpy(&v, port_at(port), 2);
	return v;
}

uint32_t host_model_pio_read32(uint16_t port)
{
	uint32_t v;

	if (port == 0xcf8) {
		return cf8;
	}
	memcpy(&v, port_at(port), 4);
	return v;
}

void host_model_pio_write8(uint16_t port, uint8_t v)
{
	*port_at(port) = v;
}

void host_model_pio_write16(uint16_t port, uint16_t v)
{
	memcpy(port_at(port), &v, 2);
}

void host_model_pio_write32(uint16_t port, uint32_t v)
{
	if (port == 0xcf8) {
		cf8 = v;
		cf8_writes++;
		return;
	}
	memcpy(port_at(port), &v, 4);
}

/* ECAM: a function's page maps onto its model bytes. */
void *host_fake_ioremap(uint64_t phys, size_t size)
{
	uint64_t off = phys - ECAM_BASE;

	if (phys < ECAM_BASE || size != PAGE_SIZE || (off & 0xfff)) {
		return NULL;
	}
	ioremaps++;
	return function_space((unsigned int)(off >> 20) & 0xff,
			      (unsigned int)(off >> 15) & 31,
			      (unsigned int)(off >> 12) & 7);
}

void host_fake_iounmap(void *addr, size_t size)
{
	(void)addr;
	(void)size;
	iounmaps++;
}

/* Firmware memory: 64 bytes at 0x1000; nothing else maps. */
static uint8_t fw_mem[64] __attribute__((aligned(8)));

void *host_fake_firmware_map(uint64_t phys, size_t size)
{
	if (phys < 0x1000 || phys + size > 0x1000 + sizeof(fw_mem)) {
		return NULL;
	}
	return fw_mem + (phys - 0x1000);
}

void host_fake_msleep(unsigned int ms)
{
	(void)ms;
}

uint64_t host_fake_time_ns(void)
{
	static uint64_t t;

	return t += 1000;
}

struct aml_node {
	const char *path;
};

size_t host_fake_aml_node_path(const struct aml_node *n, char *buf, size_t size)
{
	return (size_t)ksnprintf(buf, size, "%s", n->path);
}

void host_fake_notify_queue(struct aml_node *node, uint32_t value)
{
	(void)node;
	(void)value;
}

void host_fake_notify_print(void)
{
}

void host_fake_gpe_print(void)
{
}

/* ---- helpers ---- */

static const struct aml_node region = {"\\_SB.PCI0.S08.P40C"};

static int rw(uint8_t space, uint64_t addr, unsigned int width, bool write,
	      uint64_t *v)
{
	struct aml_region_access a = {
	    .space = space, .addr = addr, .width = width, .region = &region};

	return pc_aml_host_ops()->region_rw(NULL, &a, write, v);
}

static int pci(unsigned int dev, uint64_t off, unsigned int width, bool write,
	       uint64_t *v)
{
	struct aml_region_access a = {.space = AML_SPACE_PCI,
				      .addr = off,
				      .width = width,
				      .pci = {0, 0, (uint8_t)dev, 0},
				      .region = &region};

	return pc_aml_host_ops()->region_rw(NULL, &a, write, v);
}

static void reset(void)
{
	fake_arch_reset();
	memset(&stats, 0, sizeof(stats));
	memset(&mcfg, 0, sizeof(mcfg));
	memset(ecam_cache, 0, sizeof(ecam_cache));
	memset(handlers, 0, sizeof(handlers));
	ecam_next = 0;
	cf8 = cf8_writes = ioremaps = iounmaps = 0;
	for (unsigned int i = 0; i < sizeof(cfg_lpc); i++) {
		cfg_lpc[i] = (uint8_t)i;
		cfg_nic[i] = (uint8_t)(0x80 + i);
	}
}

/* An MCFG with one window: segment 0, buses 0-0. */
static void use_ecam(void)
{
	uint8_t t[60] = "MCFG";
	uint8_t sum = 0;

	t[4] = sizeof(t);
	t[8] = 1;
	for (int i = 0; i < 8; i++) {
		t[44 + i] = (uint8_t)(ECAM_BASE >> (8 * i));
	}
	for (unsigned int i = 0; i < sizeof(t); i++) {
		sum = (uint8_t)(sum + t[i]);
	}
	t[9] = (uint8_t)-sum;
	pc_aml_host_set_mcfg(t, sizeof(t));
}

/* ---- tests ---- */

TEST(aml_host_pci_cf8)
{
	uint64_t v = 0;

	reset();
	/* 00:1f.0 offset 0x60, a dword: CF8 = enable | dev 0x1f << 11 | 0x60.
	 */
	CHECK_EQ_INT(pci(0x1f, 0x60, 32, false, &v), 0);
	CHECK_EQ_INT(cf8, 0x8000f860u);
	CHECK_EQ_INT(v, 0x63626160u);
	/* A byte at 0x62: CFC + 2. */
	CHECK_EQ_INT(pci(0x1f, 0x62, 8, false, &v), 0);
	CHECK_EQ_INT(v, 0x62);
	v = 0xab;
	CHECK_EQ_INT(pci(0x1f, 0x61, 8, true, &v), 0);
	CHECK_EQ_INT(cfg_lpc[0x61], 0xab);
	CHECK_EQ_INT(stats.cf8, 3);
	CHECK_EQ_INT(stats.ecam, 0);
	/* An absent function reads all ones. */
	CHECK_EQ_INT(pci(7, 0, 16, false, &v), 0);
	CHECK_EQ_INT(v, 0xffff);
	/* Beyond 256 bytes without ECAM: refused, said. */
	CHECK_EQ_INT(pci(3, 0x100, 32, false, &v), -ENODEV);
	CHECK(strstr(fake_console_text(),
		     "\\_SB.PCI0.S08.P40C: PCI_Config read of 32 bits") !=
	      NULL);
}

TEST(aml_host_pci_split)
{
	uint64_t v = 0;

	reset();
	/* A dword at 0x61: four bytes, low address first. */
	CHECK_EQ_INT(pci(0x1f, 0x61, 32, false, &v), 0);
	CHECK_EQ_INT(v, 0x64636261u);
	CHECK_EQ_INT(stats.cf8, 4);
	/* 64 bits: two dwords. */
	CHECK_EQ_INT(pci(3, 0x10, 64, false, &v), 0);
	CHECK_EQ_INT(v, 0x9796959493929190ull);
	CHECK_EQ_INT(stats.cf8, 6);
	v = 0x1122334455667788ull;
	CHECK_EQ_INT(pci(3, 0x21, 64, true, &v), 0);
	CHECK_EQ_INT(cfg_nic[0x21], 0x88);
	CHECK_EQ_INT(cfg_nic[0x28], 0x11);
	CHECK_EQ_INT(cfg_nic[0x29], 0xa9);
	/* The last bytes of the space, and one past. */
	CHECK_EQ_INT(pci(3, 0xfc, 32, false, &v), 0);
	CHECK_EQ_INT(pci(3, 4095, 16, false, &v), -EINVAL);
}

TEST(aml_host_pci_ecam)
{
	uint64_t v = 0;

	reset();
	use_ecam();
	CHECK(strstr(fake_console_text(), "acpi: ECAM segment 0 buses 0-0 at "
					  "0x00000000e0000000") != NULL);
	CHECK_EQ_INT(pci(0x1f, 0x60, 32, false, &v), 0);
	CHECK_EQ_INT(v, 0x63626160u);
	CHECK_EQ_INT(stats.ecam, 1);
	CHECK_EQ_INT(stats.cf8, 0);
	CHECK_EQ_INT(cf8_writes, 0);
	/* Extended config space: ECAM only. */
	v = 0xdeadbeef;
	CHECK_EQ_INT(pci(3, 0x800, 32, true, &v), 0);
	CHECK_EQ_INT(cfg_nic[0x800], 0xef);
	CHECK_EQ_INT(cfg_nic[0x803], 0xde);
	/* The page stays mapped: one ioremap per function. */
	CHECK_EQ_INT(pci(0x1f, 0x64, 8, false, &v), 0);
	CHECK_EQ_INT(ioremaps, 2);
	/* More functions than the cache holds: the oldest is unmapped. */
	for (unsigned int dev = 8; dev < 8 + ECAM_CACHE; dev++) {
		CHECK_EQ_INT(pci(dev, 0, 32, false, &v), 0);
		CHECK_EQ_INT(v, 0xffffffffu);
	}
	CHECK_EQ_INT(iounmaps, 2);
	/* A segment with no window and no CF8: refused. */
	struct aml_region_access a = {.space = AML_SPACE_PCI,
				      .addr = 0,
				      .width = 32,
				      .pci = {1, 0, 0, 0},
				      .region = &region};
	CHECK_EQ_INT(pc_aml_host_ops()->region_rw(NULL, &a, false, &v),
		     -ENODEV);
	CHECK(strstr(fake_console_text(), "no ECAM window for the segment") !=
	      NULL);
}

TEST(aml_host_io_and_memory)
{
	uint64_t v = 0;

	reset();
	ports[0xae00] = 0x40;
	CHECK_EQ_INT(rw(AML_SPACE_IO, 0xae00, 32, false, &v), 0);
	CHECK_EQ_INT(v, 0x40);
	v = 0x0102030405060708ull;
	CHECK_EQ_INT(rw(AML_SPACE_IO, 0xb000, 64, true, &v), 0);
	CHECK_EQ_INT(ports[0xb000], 0x08);
	CHECK_EQ_INT(ports[0xb007], 0x01);
	CHECK_EQ_INT(rw(AML_SPACE_IO, 0xfffe, 32, false, &v), -EINVAL);
	CHECK_EQ_INT(rw(AML_SPACE_IO, 0x10000, 8, false, &v), -EINVAL);
	CHECK_EQ_INT(rw(AML_SPACE_IO, 0xfffc, 32, false, &v), 0);
	/* Memory: what firmware_map gives, else refused. */
	v = 0x55aa;
	CHECK_EQ_INT(rw(AML_SPACE_MEMORY, 0x1008, 16, true, &v), 0);
	CHECK_EQ_INT(fw_mem[8], 0xaa);
	CHECK_EQ_INT(rw(AML_SPACE_MEMORY, 0x1008, 64, false, &v), 0);
	CHECK_EQ_INT(v, 0x55aa);
	CHECK_EQ_INT(rw(AML_SPACE_MEMORY, 0xfed40000, 32, false, &v), -EFAULT);
	CHECK(strstr(fake_console_text(),
		     "SystemMemory read of 32 bits at "
		     "0x00000000fed40000: not mapped") != NULL);
	/* Odd widths are refused whatever the space. */
	CHECK_EQ_INT(rw(AML_SPACE_IO, 0x80, 24, false, &v), -EINVAL);
	CHECK_EQ_INT(stats.refused, 4);
	CHECK_EQ_INT(stats.reads[AML_SPACE_IO], 4);
	CHECK_EQ_INT(stats.writes[AML_SPACE_IO], 1);
}

static int ec_calls;

static int ec_handler(void *ctx, const struct aml_region_access *a, bool write,
		      uint64_t *v)
{
	(void)a;
	(void)write;
	ec_calls++;
	*v = *(int *)ctx;
	return 0;
}

TEST(aml_host_other_spaces)
{
	uint64_t v = 0;
	int answer = 42;

	reset();
	CHECK_EQ_INT(pc_aml_host_spaces(), 0x7);
	CHECK_EQ_INT(rw(AML_SPACE_EC, 0x10, 8, false, &v), -ENODEV);
	CHECK_EQ_INT(rw(AML_SPACE_FFIXED, 0, 8, false, &v), -ENODEV);
	CHECK_EQ_INT(stats.no_handler, 2);
	CHECK_EQ_INT(
	    pc_aml_set_space_handler(AML_SPACE_EC, ec_handler, &answer), 0);
	CHECK_EQ_INT(pc_aml_host_spaces(), 0xf);
	CHECK_EQ_INT(rw(AML_SPACE_EC, 0x10, 8, false, &v), 0);
	CHECK_EQ_INT(v, 42);
	CHECK_EQ_INT(ec_calls, 1);
	/* Taken spaces, and bad ones. */
	CHECK_EQ_INT(pc_aml_set_space_handler(AML_SPACE_EC, ec_handler, NULL),
		     -EBUSY);
	CHECK_EQ_INT(pc_aml_set_space_handler(AML_SPACE_IO, ec_handler, NULL),
		     -EBUSY);
	CHECK_EQ_INT(
	    pc_aml_set_space_handler(AML_SPACE_COUNT, ec_handler, NULL),
	    -EINVAL);
	CHECK_EQ_INT(pc_aml_set_space_handler(AML_SPACE_EC, NULL, NULL), 0);
	CHECK_EQ_INT(rw(AML_SPACE_EC, 0x10, 8, false, &v), -ENODEV);
}

TEST(aml_host_services)
{
	const struct aml_host_ops *ops = pc_aml_host_ops();

	reset();
	ops->fatal(NULL, 1, 0x1234, 7);
	CHECK(strstr(fake_console_text(),
		     "*** AML Fatal: type 0x01 code "
		     "0x00001234 argument 0x7 ***") != NULL);
	ops->debug(NULL, "\"hello\"");
	CHECK(strstr(fake_console_text(), "acpi: Debug: \"hello\"\n") != NULL);
	ops->log(NULL, "\\_SB.X: -ENOENT");
	CHECK(strstr(fake_console_text(), "acpi: \\_SB.X: -ENOENT\n") != NULL);
	/* The Timer counts 100 ns units of the clock; Stall returns. */
	uint64_t t0 = ops->timer_100ns(NULL);
	ops->stall_us(NULL, 50);
	CHECK(ops->timer_100ns(NULL) > t0);
}
