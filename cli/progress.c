/*
 * Progress for people and for programs. On a terminal: one line redrawn in
 * place, "[#####.....]  45.2%  812 MB/s  ETA 0:01:23  write 1/1". With
 * --json: one object per line on stdout, at most once a second plus the end
 * of each phase. Otherwise quiet: a log file gets the summary, not noise.
 */
#include "cli.h"

#include <jansson.h>
#include <unistd.h>

#define BAR_WIDTH 30

void wp_progress_view_init(struct wp_progress_view *view, const char *device,
			   bool json)
{
	view->device = device;
	view->json = json;
	view->tty = isatty(STDERR_FILENO);
	view->last_json = -1e9;
	view->bar_open = false;
}

static void format_eta(double eta, char *buf, size_t len)
{
	if (eta < 0) {
		snprintf(buf, len, "--:--");
		return;
	}
	unsigned long s = (unsigned long)(eta + 0.5);
	snprintf(buf, len, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
}

static void print_json(struct wp_progress_view *view, const struct wp_progress *p)
{
	double now = wp_now();
	if (!p->final && now - view->last_json < 1.0)
		return;
	view->last_json = now;
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:f, s:I, s:f, s:b}",
			      "event", "progress", "device", view->device, "phase", p->phase,
			      "pass", (json_int_t)p->pass, "passes", (json_int_t)p->npasses,
			      "done_bytes", (json_int_t)p->done, "total_bytes", (json_int_t)p->total,
			      "percent", p->total ? 100.0 * (double)p->done / (double)p->total : 100.0,
			      "rate_bytes_per_s", (json_int_t)p->rate, "eta_s", p->eta,
			      "final", p->final);
	if (o) {
		json_dumpf(o, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		fflush(stdout);
	}
	json_decref(o);
}

static void print_bar(struct wp_progress_view *view, const struct wp_progress *p)
{
	double frac = p->total ? (double)p->done / (double)p->total : 1.0;
	int filled = (int)(frac * BAR_WIDTH);
	char bar[BAR_WIDTH + 1], eta[32];
	for (int i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	format_eta(p->final ? 0 : p->eta, eta, sizeof(eta));
	char label[32];
	if (p->npasses > 1 || p->pass > 1)
		snprintf(label, sizeof(label), "%s %zu/%zu", p->phase, p->pass, p->npasses);
	else
		snprintf(label, sizeof(label), "%s", p->phase);
	fprintf(stderr, "\r%-10s [%s] %5.1f%%  %8.1f MB/s  ETA %s ", label, bar,
		100.0 * frac, p->rate / 1e6, eta);
	view->bar_open = true;
	if (p->final)
		wp_progress_view_end(view);
	fflush(stderr);
}

void wp_progress_print(const struct wp_progress *p, void *ctx)
{
	struct wp_progress_view *view = ctx;
	if (view->json)
		print_json(view, p);
	else if (view->tty)
		print_bar(view, p);
}

void wp_progress_view_end(struct wp_progress_view *view)
{
	if (view->bar_open)
		fputc('\n', stderr);
	view->bar_open = false;
}
