/*
 * The i8042 keyboard controller and a PS/2 keyboard on its first port
 * (IBM PS/2 Hardware Interface Technical Reference; the 8042 commands are
 * facts every PC BIOS relies on). Ports and IRQ come from the device.
 *
 * The controller translates the keyboard's set 2 codes to set 1 (its
 * configuration bit 6), which lib/scancode.c decodes. The
 * handler reads the data port only when the status port says the output
 * buffer is full, and returns IRQ_NONE otherwise: on a shared or spurious
 * IRQ 1 there may be nothing to read.
 *
 * Two halves: the handler only moves the bytes into a ring and schedules
 * the tasklet; the tasklet (on the way out of the interrupt, interrupts
 * on) answers the LED protocol, hands each byte to the client and to
 * kern/input (decoding, the layout, the console queue). A byte the ring
 * cannot take is counted (inputstat: "driver queue full"), never dropped
 * silently.
 *
 * The controller is one device under two names (i8042.h): the i8042
 * driver binds ACPI's PNP0303 class, kbd0001.c the KBD0001 product an
 * SSDT may describe at the same ports; the device core lets only one of
 * them own the ports (kern/device.c).
 */
#include "drivers/input/i8042.h"
#include "kern/deferred.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/input.h"
#include "kern/io.h"
#include "kern/irq.h"
#include "kern/printf.h"
#include "kern/ring.h"
#include "kern/spinlock.h"
#include "kern/string.h"

/* Status register bits (port 0x64 on a PC: the device's second range). */
#define STATUS_OBF 0x01 /* output buffer full: data to read */
#define STATUS_IBF 0x02 /* input buffer full: don't write yet */
#define STATUS_AUX 0x20 /* the byte came from the mouse port */

/* Controller commands. */
#define CMD_READ_CONFIG	       0x20
#define CMD_WRITE_CONFIG       0x60
#define CMD_DISABLE_AUX	       0xa7
#define CMD_SELF_TEST	       0xaa
#define CMD_TEST_PORT1	       0xab
#define CMD_DISABLE_PORT1      0xad
#define CMD_ENABLE_PORT1       0xae
#define CMD_WRITE_PORT1_OUTPUT 0xd2 /* as if the keyboard sent it */
#define SELF_TEST_OK	       0x55
#define PORT_TEST_OK	       0x00

/* Configuration byte bits. */
#define CONFIG_IRQ1	       0x01
#define CONFIG_IRQ12	       0x02
#define CONFIG_PORT1_CLOCK_OFF 0x10
#define CONFIG_TRANSLATE       0x40

/* Keyboard commands and replies. */
#define KBD_SET_LEDS	 0xed
#define KBD_RESET	 0xff
#define KBD_ACK		 0xfa
#define KBD_RESEND	 0xfe
#define KBD_SELF_TEST_OK 0xaa

#define POLL_LIMIT	 200000	 /* status polls; ~200 ms on real hardware */
#define RESET_POLL_LIMIT 2000000 /* ~2 s: a keyboard's self-test */
#define FLUSH_LIMIT	 32	 /* stale bytes drained at init */
#define DRAIN_LIMIT	 16	 /* bytes taken per interrupt */
#define RX_RING_SIZE	 256	 /* bytes between the two halves */

enum led_state { LED_IDLE, LED_WAIT_CMD_ACK, LED_WAIT_VALUE_ACK };

struct i8042 {
	/* The device's two ranges, one register each (register 0). */
	struct io_regs data, status;
	int irq;
	const struct i8042_client *client;
	bool attached;
	enum led_state led_state;
	uint8_t leds_wanted, leds_sent;
	struct spinlock lock;
	struct ring rx; /* read by the handler, not yet decoded */
	uint8_t rx_storage[RX_RING_SIZE];
	struct tasklet bh;
};

static struct i8042 kbc;

static bool wait_status_for(uint8_t bit, bool set, int polls)
{
	for (int i = 0; i < polls; i++) {
		if (!!(io_read8(&kbc.status, 0) & bit) == set) {
			return true;
		}
	}
	return false;
}

static bool wait_status(uint8_t bit, bool set)
{
	return wait_status_for(bit, set, POLL_LIMIT);
}

static int write_cmd(uint8_t cmd)
{
	if (!wait_status(STATUS_IBF, false)) {
		return -ETIMEDOUT;
	}
	io_write8(&kbc.status, 0, cmd);
	return 0;
}

static int write_data(uint8_t byte)
{
	if (!wait_status(STATUS_IBF, false)) {
		return -ETIMEDOUT;
	}
	io_write8(&kbc.data, 0, byte);
	return 0;
}

static int read_data(void)
{
	if (!wait_status(STATUS_OBF, true)) {
		return -ETIMEDOUT;
	}
	return io_read8(&kbc.data, 0);
}

/* Lock LEDs: 0xED, ACK, value, ACK, driven by the interrupts' bytes. */
static void leds_update(void)
{
	kbc.leds_wanted = input_leds();
	if (kbc.led_state == LED_IDLE && kbc.leds_wanted != kbc.leds_sent) {
		if (write_data(KBD_SET_LEDS) == 0) {
			kbc.led_state = LED_WAIT_CMD_ACK;
		}
	}
}

/* Returns true if the byte was the answer to our LED command. */
static bool leds_reply(uint8_t byte)
{
	if (kbc.led_state == LED_IDLE) {
		return false;
	}
	if (byte != KBD_ACK) {
		/* A resend request or a lost ACK: give up this update rather
		 * than wait for an ACK forever; the next lock key retries. */
		kbc.led_state = LED_IDLE;
		kbc.leds_sent = ~kbc.leds_wanted;
		return byte == KBD_RESEND;
	}
	if (kbc.led_state == LED_WAIT_CMD_ACK) {
		write_data(kbc.leds_wanted);
		kbc.leds_sent = kbc.leds_wanted;
		kbc.led_state = LED_WAIT_VALUE_ACK;
	} else {
		kbc.led_state = LED_IDLE;
		leds_update(); /* changed again meanwhile? */
	}
	return true;
}

static void keyboard_byte(uint8_t byte)
{
	if (kbc.client->byte) {
		kbc.client->byte(byte);
	}
	if (leds_reply(byte)) {
		return;
	}
	input_scancode(byte);
	leds_update();
}

/* The bottom half: the bytes the handler queued, in order, each under
 * the lock (the LED protocol writes to the controller). */
static void i8042_bottom_half(void *data)
{
	(void)data;
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&kbc.lock);
		int byte = ring_get(&kbc.rx);

		if (byte >= 0) {
			keyboard_byte((uint8_t)byte);
		}
		spin_unlock_irqrestore(&kbc.lock, flags);
		if (byte < 0) {
			return;
		}
	}
}

static void queue_byte(uint8_t byte)
{
	if (!ring_put(&kbc.rx, byte)) {
		input_note_dropped();
	}
}

static enum irq_return i8042_interrupt(unsigned int irq, void *dev)
{
	enum irq_return ret = IRQ_NONE;
	unsigned long flags = spin_lock_irqsave(&kbc.lock);

	(void)irq;
	(void)dev;
	for (int i = 0; i < DRAIN_LIMIT; i++) {
		uint8_t status = io_read8(&kbc.status, 0);

		if (!(status & STATUS_OBF)) {
			break;
		}
		ret = IRQ_HANDLED;
		if (status & STATUS_AUX) {
			io_read8(&kbc.data,
				 0); /* a mouse byte: no mouse driver yet */
			continue;
		}
		queue_byte(io_read8(&kbc.data, 0));
	}
	spin_unlock_irqrestore(&kbc.lock, flags);
	if (ret == IRQ_HANDLED) {
		tasklet_schedule(&kbc.bh);
	}
	return ret;
}

/* Controller bring-up, each step checked (see the file header). */
static int controller_init(void)
{
	int config, reply;

	if (write_cmd(CMD_DISABLE_PORT1) || write_cmd(CMD_DISABLE_AUX)) {
		return -ETIMEDOUT;
	}
	for (int i = 0;
	     i < FLUSH_LIMIT && (io_read8(&kbc.status, 0) & STATUS_OBF); i++) {
		io_read8(&kbc.data, 0);
	}
	if (write_cmd(CMD_READ_CONFIG) || (config = read_data()) < 0) {
		return -ETIMEDOUT;
	}
	config &= ~(CONFIG_IRQ1 | CONFIG_IRQ12);
	config |= CONFIG_TRANSLATE;
	if (write_cmd(CMD_WRITE_CONFIG) || write_data((uint8_t)config)) {
		return -ETIMEDOUT;
	}
	if (write_cmd(CMD_SELF_TEST) || (reply = read_data()) < 0) {
		return -ETIMEDOUT;
	}
	if (reply != SELF_TEST_OK) {
		kprintf("i8042: self-test failed (0x%02x)\n", reply);
		return -EIO;
	}
	/* The self-test may reset the configuration: write it again. */
	if (write_cmd(CMD_WRITE_CONFIG) || write_data((uint8_t)config)) {
		return -ETIMEDOUT;
	}
	if (write_cmd(CMD_TEST_PORT1) || (reply = read_data()) < 0) {
		return -ETIMEDOUT;
	}
	if (reply != PORT_TEST_OK) {
		kprintf("i8042: keyboard port test failed (0x%02x)\n", reply);
		return -EIO;
	}
	return config;
}

static int keyboard_reset(void)
{
	int reply;

	if (write_cmd(CMD_ENABLE_PORT1) || write_data(KBD_RESET)) {
		return -ETIMEDOUT;
	}
	reply = read_data();
	if (reply != KBD_ACK) {
		return reply < 0 ? reply : -EIO;
	}
	/* The keyboard's power-on self-test takes 500-750 ms. */
	if (!wait_status_for(STATUS_OBF, true, RESET_POLL_LIMIT)) {
		return -ETIMEDOUT;
	}
	reply = io_read8(&kbc.data, 0);
	return reply == KBD_SELF_TEST_OK ? 0 : -EIO;
}

/* Self-test: the controller's "write keyboard output" command makes it
 * deliver the byte, with IRQ 1, as if the keyboard had sent it. */
static int i8042_inject(uint8_t byte)
{
	unsigned long flags = spin_lock_irqsave(&kbc.lock);
	int ret = write_cmd(CMD_WRITE_PORT1_OUTPUT);

	if (ret == 0) {
		ret = write_data(byte);
	}
	spin_unlock_irqrestore(&kbc.lock, flags);
	return ret;
}

static const struct keyboard_ops i8042_keyboard = {
    .name = "i8042",
    .inject = i8042_inject,
};

/* The device's registers and interrupt, and the controller brought up
 * there: its configuration byte, or a negative errno. */
static int controller_at(struct device *dev)
{
	int ret;

	if (device_regs(dev, 0, 0, &kbc.data) < 0 ||
	    device_regs(dev, 1, 0, &kbc.status) < 0) {
		return -ENODEV;
	}
	kbc.irq = device_irq(dev, 0);
	if (kbc.irq < 0) {
		return kbc.irq;
	}
	ret = controller_init();
	if (ret < 0) {
		kprintf("i8042: no working controller (%d)\n", ret);
	}
	return ret;
}

int i8042_attach(struct device *dev, const struct i8042_client *client)
{
	int config, ret;

	if (kbc.attached) {
		return -EBUSY;
	}
	spin_lock_init(&kbc.lock, "i8042");
	kbc.rx = (struct ring)RING_INIT(kbc.rx_storage);
	tasklet_init(&kbc.bh, i8042_bottom_half, NULL, "i8042");
	kbc.client = client;
	config = controller_at(dev);
	if (config < 0) {
		return config;
	}
	ret = keyboard_reset();
	if (ret < 0) {
		kprintf("i8042: keyboard did not reset (%d)\n", ret);
		return ret;
	}
	/* Shared whatever the firmware says: the handler checks OBF and
	 * declines an interrupt that brought nothing. */
	ret = irq_request(kbc.irq, i8042_interrupt,
			  device_irq_flags(dev, 0) | IRQF_SHARED, client->name,
			  &kbc);
	if (ret < 0) {
		return ret;
	}
	config |= CONFIG_IRQ1;
	config &= ~CONFIG_PORT1_CLOCK_OFF;
	if (write_cmd(CMD_WRITE_CONFIG) || write_data((uint8_t)config)) {
		irq_free(kbc.irq, &kbc);
		return -ETIMEDOUT;
	}
	input_register_keyboard(&i8042_keyboard);
	kbc.attached = true;
	dev->driver_data = &kbc;
	return 0;
}

static const struct i8042_client i8042_client = {.name = "i8042-kbd"};

static int i8042_probe(struct device *dev)
{
	return i8042_attach(dev, &i8042_client);
}

static const char *const i8042_ids[] = {"PNP0303", NULL};

struct driver i8042_driver = {
    .name = "i8042",
    .ids = i8042_ids,
    .probe = i8042_probe,
};
