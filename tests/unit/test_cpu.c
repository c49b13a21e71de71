/*
 * The CPU table (kern/cpu.c): registration in firmware order, duplicates
 * refused, the boot CPU moved to number 0 and online with the others in
 * order behind it, a boot CPU the firmware did not list, growth past the
 * first allocation, and an allocation failure counted.
 */
#include <string.h>
#include "kern/cpu.h"
#include "kern/errno.h"
#include "host_mm.h"
#include "unit.h"

TEST(cpu_register_in_order)
{
	long live;

	cpu_table_reset();
	live = host_mm_live();
	CHECK_EQ_INT(cpu_register(0x10, CPU_FW_ENABLED, "psci", "hvc"), 0);
	CHECK_EQ_INT(cpu_register(0x11, CPU_FW_DISABLED, NULL, NULL), 0);
	CHECK_EQ_INT(cpu_register(0x10, CPU_FW_ENABLED, NULL, NULL), -EEXIST);
	CHECK_EQ_INT(cpu_count(), 2);
	REQUIRE(cpu_get(1) != NULL);
	CHECK(cpu_get(2) == NULL);
	CHECK_EQ_INT(cpu_get(0)->num, 0);
	CHECK_EQ_STR(cpu_get(0)->method, "psci");
	CHECK_EQ_STR(cpu_get(0)->conduit, "hvc");
	CHECK_EQ_STR(cpu_get(1)->method, "");
	CHECK_EQ_INT(cpu_get(1)->fw, CPU_FW_DISABLED);
	CHECK_EQ_INT(cpu_get(1)->state, CPU_NOT_STARTED);
	CHECK_EQ_STR(cpu_fw_state_name(cpu_get(1)->fw), "disabled");
	CHECK_EQ_STR(cpu_state_name(cpu_get(1)->state), "not started");
	cpu_table_reset();
	CHECK_EQ_INT(host_mm_live(), live); /* freed */
}

TEST(cpu_boot_moves_to_zero)
{
	cpu_table_reset();
	for (uint64_t id = 0; id < 6; id++) {
		CHECK_EQ_INT(cpu_register(id, CPU_FW_ENABLED, NULL, NULL), 0);
	}
	CHECK_EQ_INT(cpu_set_boot(3), 0);
	REQUIRE(cpu_count() == 6);
	static const uint64_t want[] = {3, 0, 1, 2, 4, 5};
	for (unsigned int i = 0; i < 6; i++) {
		CHECK_EQ_INT(cpu_get(i)->hwid, want[i]);
		CHECK_EQ_INT(cpu_get(i)->num, i);
		CHECK_EQ_INT(cpu_get(i)->state,
			     i == 0 ? CPU_ONLINE : CPU_NOT_STARTED);
	}
	cpu_table_reset();
}

TEST(cpu_boot_unlisted_and_long_names)
{
	cpu_table_reset();
	CHECK_EQ_INT(cpu_register(1, CPU_FW_ONLINE_CAPABLE,
				  "a-method-name-longer-than-the-field", NULL),
		     0);
	CHECK_EQ_INT(strlen(cpu_get(0)->method), CPU_METHOD_MAX - 1);
	CHECK_EQ_INT(cpu_set_boot(7), 0);
	REQUIRE(cpu_count() == 2);
	CHECK_EQ_INT(cpu_get(0)->hwid, 7);
	CHECK_EQ_INT(cpu_get(0)->fw, CPU_FW_UNLISTED);
	CHECK_EQ_INT(cpu_get(0)->state, CPU_ONLINE);
	CHECK_EQ_INT(cpu_get(1)->fw, CPU_FW_ONLINE_CAPABLE);
	cpu_table_reset();
}

TEST(cpu_grows_and_counts_failure)
{
	long live;

	cpu_table_reset();
	live = host_mm_live();
	/* Past several doublings: no fixed limit. */
	for (uint64_t id = 0; id < 300; id++) {
		CHECK_EQ_INT(cpu_register(id, CPU_FW_ENABLED, NULL, NULL), 0);
	}
	CHECK_EQ_INT(cpu_count(), 300);
	CHECK_EQ_INT(cpu_get(299)->hwid, 299);
	cpu_table_reset();
	/* The first allocation fails: the entry is dropped and counted. */
	host_mm_fail_at(1);
	CHECK_EQ_INT(cpu_register(5, CPU_FW_ENABLED, NULL, NULL), -ENOMEM);
	CHECK(host_mm_failed());
	host_mm_fail_at(0);
	CHECK_EQ_INT(cpu_count(), 0);
	CHECK_EQ_INT(cpu_dropped(), 1);
	CHECK_EQ_INT(cpu_set_boot(5), 0);
	CHECK_EQ_INT(cpu_count(), 1);
	cpu_table_reset();
	CHECK_EQ_INT(host_mm_live(), live); /* freed */
}
