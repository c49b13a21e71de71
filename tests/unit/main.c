/*
 * The host unit test runner: runs every TEST() linked in, or those whose
 * name starts with argv[1]. Output is TAP-like, one line per test, ending
 * with "unit: N passed, N failed". See unit.h.
 */
#include <stdarg.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"

unsigned long unit_checks;

static struct unit_test *tests;
static unsigned current_failures;

/* Sorted insert by (file, line): the run order is the source order,
 * whatever order the constructors ran in. */
void unit_register(struct unit_test *t)
{
	struct unit_test **p = &tests;

	while (*p != NULL) {
		int c = strcmp((*p)->file, t->file);

		if (c > 0 || (c == 0 && (*p)->line > t->line)) {
			break;
		}
		p = &(*p)->next;
	}
	t->next = *p;
	*p = t;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	current_failures++;
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int unit_str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	return strcmp(a, b) == 0;
}

unsigned int unit_corpus_each(void (*fn)(const char *machine, void *arg),
			      void *arg)
{
	const char *root = getenv("KITE_FIXTURES");
	char path[4096];
	unsigned int n = 0;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/acpi/corpus",
		 root && root[0] ? root : "tests/fixtures");
	d = opendir(path);
	if (d == NULL) {
		printf("# no corpus at %s\n", path);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.' && !strchr(e->d_name, '.')) {
			fn(e->d_name, arg);
			n++;
		}
	}
	closedir(d);
	return n;
}

void unit_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void unit_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
	}
}

void unit_put64(uint8_t *p, uint64_t v)
{
	unit_put32(p, (uint32_t)v);
	unit_put32(p + 4, (uint32_t)(v >> 32));
}

void *unit_load_fixture(const char *name, size_t *len)
{
	const char *dir = getenv("KITE_FIXTURES");
	char path[4096];
	FILE *f;
	char *buf = NULL;
	long size;

	if (dir == NULL || dir[0] == '\0') {
		dir = "tests/fixtures";
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL) {
		printf("# cannot open fixture %s\n", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		/* One spare byte so an empty file still gets a buffer. */
		buf = malloc((size_t)size + 1);
		if (buf != NULL &&
		    fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	if (buf == NULL) {
		printf("# cannot read fixture %s\n", path);
		return NULL;
	}
	*len = (size_t)size;
	return buf;
}

int main(int argc, char **argv)
{
	const char *prefix = argc > 1 ? argv[1] : "";
	unsigned passed = 0, failed = 0, n = 0;

	/* Failure messages and results interleave in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (struct unit_test *t = tests; t != NULL; t = t->next) {
		if (strncmp(t->name, prefix, strlen(prefix)) != 0) {
			continue;
		}
		current_failures = 0;
		t->fn();
		n++;
		if (current_failures == 0) {
			passed++;
			printf("ok %u - %s\n", n, t->name);
		} else {
			failed++;
			printf("not ok %u - %s\n", n, t->name);
		}
	}
	printf("# %lu checks\n", unit_checks);
	printf("unit: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
