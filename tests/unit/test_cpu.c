/*
 * The CPU table (kern/cpu.c): registration in firmware order, duplicates
 * refused, the boot CPU moved to number 0 and online with the others in
 * order behind it, a boot CPU the firmware did not list, growth past the
 * first allocation, and an allocation failure counted; the bring-up's
 * state names and exchanges (one winner when the new CPU and the boot
 * CPU's timeout race, two host threads standing in for them).
 */
#include <pthread.h>
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

/* The bring-up's states (kern/smp.c): the names `cpus` prints, and the
 * exchanges by which the new CPU and the waiting boot CPU agree. */
TEST(cpu_state_names)
{
	CHECK_EQ_STR(cpu_state_name(CPU_ONLINE), "online");
	CHECK_EQ_STR(cpu_state_name(CPU_NOT_STARTED), "not started");
	CHECK_EQ_STR(cpu_state_name(CPU_STARTING), "starting");
	CHECK_EQ_STR(cpu_state_name(CPU_FAILED), "failed");
}

TEST(cpu_state_from_only_from_the_expected_state)
{
	cpu_table_reset();
	REQUIRE(cpu_register(0, CPU_FW_ENABLED, NULL, NULL) == 0);
	REQUIRE(cpu_register(1, CPU_FW_ENABLED, NULL, NULL) == 0);
	REQUIRE(cpu_set_boot(0) == 0);
	/* Not started yet: the new CPU cannot claim to be online. */
	CHECK(!cpu_set_state_from(1, CPU_STARTING, CPU_ONLINE));
	CHECK_EQ_INT(cpu_get(1)->state, CPU_NOT_STARTED);
	cpu_set_state(1, CPU_STARTING);
	/* It arrives in time: online; the boot CPU's timeout then loses. */
	CHECK(cpu_set_state_from(1, CPU_STARTING, CPU_ONLINE));
	CHECK(!cpu_set_state_from(1, CPU_STARTING, CPU_FAILED));
	CHECK_EQ_INT(cpu_get(1)->state, CPU_ONLINE);
	/* Late: the boot CPU gave up first; the CPU finds FAILED. */
	cpu_set_state(1, CPU_STARTING);
	CHECK(cpu_set_state_from(1, CPU_STARTING, CPU_FAILED));
	CHECK(!cpu_set_state_from(1, CPU_STARTING, CPU_ONLINE));
	CHECK_EQ_INT(cpu_get(1)->state, CPU_FAILED);
	CHECK_EQ_STR(cpu_state_name(cpu_get(1)->state), "failed");
	/* The boot CPU is untouched throughout. */
	CHECK_EQ_INT(cpu_get(0)->state, CPU_ONLINE);
	cpu_table_reset();
}

/* Two host threads race the exchange, as the new CPU and the boot CPU's
 * timeout do: exactly one wins each round, and the state is the
 * winner's. */
static volatile int race_go;
static unsigned int race_online_wins;

static void *race_online(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&race_go, __ATOMIC_ACQUIRE)) {
	}
	if (cpu_set_state_from(1, CPU_STARTING, CPU_ONLINE)) {
		race_online_wins++;
	}
	return NULL;
}

TEST(cpu_state_race_has_one_winner)
{
	unsigned int failed_wins = 0;

	cpu_table_reset();
	REQUIRE(cpu_register(0, CPU_FW_ENABLED, NULL, NULL) == 0);
	REQUIRE(cpu_register(1, CPU_FW_ENABLED, NULL, NULL) == 0);
	REQUIRE(cpu_set_boot(0) == 0);
	race_online_wins = 0;
	for (unsigned int round = 0; round < 200; round++) {
		pthread_t t;
		bool failed;
		unsigned int before = race_online_wins;

		cpu_set_state(1, CPU_STARTING);
		race_go = 0;
		REQUIRE(pthread_create(&t, NULL, race_online, NULL) == 0);
		__atomic_store_n(&race_go, 1, __ATOMIC_RELEASE);
		failed = cpu_set_state_from(1, CPU_STARTING, CPU_FAILED);
		pthread_join(t, NULL);
		failed_wins += failed;
		CHECK((race_online_wins - before) + failed == 1);
		CHECK_EQ_INT(cpu_get(1)->state,
			     failed ? CPU_FAILED : CPU_ONLINE);
	}
	CHECK(race_online_wins + failed_wins == 200);
	cpu_table_reset();
}
