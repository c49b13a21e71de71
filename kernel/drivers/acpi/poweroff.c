/*
 * ACPI S5, soft off (ACPI 6.x, 7.4.2 "\_Sx (System States)", 16.1.7):
 * write SLP_TYPx with SLP_EN to PM1a_CNT and, if present, PM1b_CNT. The
 * values come from \_S5, the ports from the FADT, both handed over by the
 * platform (poweroff.h).
 */
#include "drivers/acpi/poweroff.h"
#include "kern/arch.h"
#include "kern/io.h"
#include "kern/printf.h"

/* PM1x_CNT (4.8.3.2.1, table 4.16): SLP_TYPx bits 10-12, SLP_EN bit 13. */
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_EN	      (1u << 13)

#define S5_WAIT_SPINS 200000000ul /* a second or more */

static struct acpi_s5 s5;
static bool have_s5;

void acpi_poweroff_init(const struct acpi_s5 *desc)
{
	s5 = *desc;
	have_s5 = s5.pm1a_cnt != 0;
}

static void write_slp(uint16_t port, uint8_t slp_typ)
{
	const struct io_regs cnt = {IO_SPACE_PORT, port, 0};

	io_write16(&cnt, 0,
		   (uint16_t)((slp_typ & 7u) << PM1_CNT_SLP_TYP_SHIFT |
			      PM1_CNT_SLP_EN));
}

void acpi_poweroff(void)
{
	if (!have_s5) {
		return;
	}
	write_slp(s5.pm1a_cnt, s5.slp_typa);
	if (s5.pm1b_cnt) {
		write_slp(s5.pm1b_cnt, s5.slp_typb);
	}
	/* The machine goes off a little later (QEMU: at its next main-loop
	 * turn); give it time before the caller's fallback. */
	for (unsigned long i = 0; i < S5_WAIT_SPINS; i++) {
		arch_cpu_relax();
	}
	kprintf("acpi: S5 did not power off\n");
}
