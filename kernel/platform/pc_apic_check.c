/*
 * Can the I/O APICs route the ISA lines the board needs (pc_apic_check.h)?
 * An ISA IRQ goes to the GSI the MADT's override says, else the same
 * number (ACPI 5.2.12.5); that GSI needs an I/O APIC whose range (its
 * GSI base, MRE + 1 pins) holds it and that answered its version read.
 */
#include "platform/pc_apic_check.h"

#define VER_VERSION_MASK 0xffu
#define VER_VERSION_MIN	 0x10u /* 0x0x: discrete 82489DX, not an I/O APIC */
#define VER_VERSION_MAX	 0x2fu
#define VER_MRE_SHIFT	 16
#define VER_MRE_MASK	 0xffu
#define VER_RESERVED	 0xff000000u /* bits 31:24 */

bool pc_ioapic_version_plausible(uint32_t ver)
{
	uint32_t v = ver & VER_VERSION_MASK;

	return ver != PC_IOAPIC_UNREADABLE && !(ver & VER_RESERVED) &&
	       v >= VER_VERSION_MIN && v <= VER_VERSION_MAX;
}

unsigned int pc_ioapic_pins(uint32_t ver)
{
	return ((ver >> VER_MRE_SHIFT) & VER_MRE_MASK) + 1;
}

/* The plausible I/O APIC (MADT index) whose pins hold gsi; -1 if none. */
static int ioapic_serving(const struct acpi_madt_info *madt,
			  const uint32_t *ver, uint32_t gsi)
{
	for (unsigned int i = 0; i < madt->nioapics; i++) {
		uint32_t base = madt->ioapics[i].gsi_base;

		if (pc_ioapic_version_plausible(ver[i]) && gsi >= base &&
		    gsi - base < pc_ioapic_pins(ver[i])) {
			return (int)i;
		}
	}
	return -1;
}

/* The implausible I/O APIC that would have gsi: the highest GSI base at
 * or below it (its pins are unknown); -1 if none. */
static int ioapic_blamed(const struct acpi_madt_info *madt, const uint32_t *ver,
			 uint32_t gsi)
{
	int best = -1;

	for (unsigned int i = 0; i < madt->nioapics; i++) {
		uint32_t base = madt->ioapics[i].gsi_base;

		if (!pc_ioapic_version_plausible(ver[i]) && gsi >= base &&
		    (best < 0 || base >= madt->ioapics[best].gsi_base)) {
			best = (int)i;
		}
	}
	return best;
}

bool pc_apic_check(const struct acpi_madt_info *madt, const uint32_t *ver,
		   const uint8_t *need, unsigned int n,
		   struct pc_apic_verdict *out)
{
	*out = (struct pc_apic_verdict){.kind = PC_APIC_OK};
	if (!madt || madt->nioapics == 0) {
		out->kind = PC_APIC_NO_IOAPIC;
		return false;
	}
	for (unsigned int k = 0; k < n; k++) {
		bool low, level;
		uint32_t gsi;
		int i;

		acpi_isa_irq(madt, need[k], &gsi, &low, &level);
		if (ioapic_serving(madt, ver, gsi) >= 0) {
			continue;
		}
		i = ioapic_blamed(madt, ver, gsi);
		if (i >= 0) {
			out->kind = PC_APIC_BAD_IOAPIC;
			out->ioapic = (unsigned int)i;
			out->ver = ver[i];
		} else {
			out->kind = PC_APIC_NO_PIN;
		}
		out->isa_irq = need[k];
		out->gsi = gsi;
		return false;
	}
	return true;
}
