/* The shell's command history in a byte budget (shell/history.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell/history.h"
#include "unit.h"

static struct history *fresh(void)
{
	struct history *h = calloc(1, sizeof(*h));

	if (!h) {
		abort();
	}
	return h;
}

static void add(struct history *h, const char *s)
{
	history_add(h, s, strlen(s));
}

/* Entry `age` back from the newest (0 = newest), or "<none>". */
static const char *back(const struct history *h, uint32_t age)
{
	static char buf[HISTORY_BYTES + 1];

	if (history_get(h, history_end(h) - 1 - age, buf, sizeof(buf)) < 0) {
		return "<none>";
	}
	return buf;
}

TEST(history_keeps_order_and_skips_repeats)
{
	struct history *h = fresh();

	CHECK_EQ_INT(history_end(h) - history_oldest(h), 0);
	CHECK_EQ_STR(back(h, 0), "<none>");
	add(h, "echo one");
	add(h, "echo two");
	add(h, "echo two"); /* a repeat of the newest is not added */
	add(h, "");	    /* nor an empty line */
	add(h, "echo one"); /* an older line again is */
	CHECK_EQ_INT(history_end(h) - history_oldest(h), 3);
	CHECK_EQ_STR(back(h, 0), "echo one");
	CHECK_EQ_STR(back(h, 1), "echo two");
	CHECK_EQ_STR(back(h, 2), "echo one");
	CHECK_EQ_STR(back(h, 3), "<none>");
	free(h);
}

TEST(history_drops_oldest_past_line_count)
{
	struct history *h = fresh();
	char line[32];

	for (int i = 0; i < HISTORY_LINES + 5; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		add(h, line);
	}
	CHECK_EQ_INT(history_end(h) - history_oldest(h), HISTORY_LINES);
	snprintf(line, sizeof(line), "line %d", HISTORY_LINES + 4);
	CHECK_EQ_STR(back(h, 0), line);
	CHECK_EQ_STR(back(h, HISTORY_LINES - 1), "line 5");
	/* An id older than the oldest is gone, not a stale copy. */
	CHECK_EQ_INT(history_get(h, history_oldest(h) - 1, line, sizeof(line)),
		     -1);
	free(h);
}

/* Long lines take bytes: the oldest go until the new one fits; the store
 * wraps around its end and each line still reads back whole. */
TEST(history_byte_budget_and_wrap)
{
	struct history *h = fresh();
	static char big[3][4096];

	for (int i = 0; i < 3; i++) {
		memset(big[i], 'a' + i, 4095);
		big[i][4095] = '\0';
	}
	add(h, "short");
	add(h, big[0]);
	add(h, big[1]); /* 5 + 4095 + 4095 = 8195 > 8192: "short" goes */
	CHECK_EQ_INT(history_end(h) - history_oldest(h), 2);
	CHECK_EQ_STR(back(h, 1), big[0]);
	CHECK_EQ_STR(back(h, 0), big[1]);
	add(h, big[2]); /* wraps the store's end; big[0] goes */
	CHECK_EQ_INT(history_end(h) - history_oldest(h), 2);
	CHECK_EQ_STR(back(h, 1), big[1]);
	CHECK_EQ_STR(back(h, 0), big[2]);
	add(h, big[2]); /* a repeat across the wrap is recognised */
	CHECK_EQ_INT(history_end(h) - history_oldest(h), 2);
	for (int i = 0; i < 100; i++) {
		add(h, i % 2 ? "odd" : big[i % 3]);
		CHECK_EQ_STR(back(h, 0), i % 2 ? "odd" : big[i % 3]);
	}
	free(h);
}

TEST(history_get_truncates_to_the_buffer)
{
	struct history *h = fresh();
	char small[5];

	add(h, "echo hello");
	CHECK_EQ_INT(history_get(h, history_oldest(h), small, sizeof(small)),
		     4);
	CHECK_EQ_STR(small, "echo");
	CHECK_EQ_INT(history_get(h, history_oldest(h), small, 0), -1);
	free(h);
}
