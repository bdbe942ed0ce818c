/*
 * describe.c - an origin in words: the one phrase the table shows and
 * the commands that would turn it off (printed, never run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "why/origin.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static const char *const kind_keys[ORIGIN_COUNT] = {
	"unknown", "systemd", "systemd-user", "socket-activation", "inetd",
	"xinetd", "sysv", "container", "cron", "at", "supervisor", "login",
	"kernel"
};

const char *
origin_kind_key(enum origin_kind k)
{
	return k < ORIGIN_COUNT ? kind_keys[k] : "unknown";
}

const char *
origin_tty_name(int tty_nr, char *buf, size_t sz)
{
	unsigned int major = ((unsigned int)tty_nr >> 8) & 0xfff;
	unsigned int minor = ((unsigned int)tty_nr & 0xff) |
	    (((unsigned int)tty_nr >> 12) & 0xfff00);

	if (major >= 136 && major <= 143)
		snprintf(buf, sz, "pts/%u", (major - 136) * 256 + minor);
	else if (major == 4 && minor < 64)
		snprintf(buf, sz, "tty%u", minor);
	else if (major == 4)
		snprintf(buf, sz, "ttyS%u", minor - 64);
	else
		snprintf(buf, sz, "tty(%u:%u)", major, minor);
	return buf;
}

static void
add_disable(struct origin *o, char *cmd)
{
	if (o->ndisable < sizeof(o->disable) / sizeof(o->disable[0]))
		o->disable[o->ndisable++] = cmd;
	else
		free(cmd);
}

static int
is_scope(const char *unit)
{
	size_t n = strlen(unit);

	return n > 6 && strcmp(unit + n - 6, ".scope") == 0;
}

void
origin_describe(struct origin *o, pid_t pid)
{
	struct strbuf sb;

	strbuf_init(&sb, 1024);
	switch (o->kind) {
	case ORIGIN_SYSTEMD:
		strbuf_addf(&sb, "systemd %s", o->unit);
		if (is_scope(o->unit))
			add_disable(o, xasprintf("systemctl stop %s (a transient "
			    "scope: started by systemd-run or a session "
			    "manager, nothing restarts it)", o->unit));
		else
			add_disable(o, xasprintf("systemctl disable --now %s",
			    o->unit));
		break;
	case ORIGIN_SYSTEMD_USER:
		strbuf_addf(&sb, "systemd --user %s (%s)", o->unit,
		    o->login_user ? o->login_user : "?");
		add_disable(o, xasprintf("systemctl --user -M %s@ disable "
		    "--now %s", o->login_user ? o->login_user : "USER",
		    o->unit));
		break;
	case ORIGIN_SOCKET:
		strbuf_addf(&sb, "systemd %s", o->socket_unit);
		if (o->unit)
			strbuf_addf(&sb, " -> %s", o->unit);
		add_disable(o, xasprintf("systemctl disable --now %s",
		    o->socket_unit));
		if (o->unit)
			add_disable(o, xasprintf("systemctl stop %s", o->unit));
		break;
	case ORIGIN_INETD:
	case ORIGIN_XINETD:
		strbuf_addf(&sb, "%s %s:%d (%s)", o->kind == ORIGIN_INETD ?
		    "inetd" : "xinetd", o->ss_file, o->ss_line, o->ss_service);
		if (o->kind == ORIGIN_INETD)
			add_disable(o, xasprintf("comment out line %d of %s "
			    "(or: update-inetd --disable %s), then "
			    "kill -HUP %d", o->ss_line, o->ss_file,
			    o->ss_service, (int)o->ss_pid));
		else
			add_disable(o, xasprintf("set 'disable = yes' in the "
			    "service %s block at %s:%d, then kill -HUP %d",
			    o->ss_service, o->ss_file, o->ss_line,
			    (int)o->ss_pid));
		if (o->unit)
			add_disable(o, xasprintf("or the whole super-server: "
			    "systemctl disable --now %s", o->unit));
		break;
	case ORIGIN_SYSV:
		strbuf_addf(&sb, "init script /etc/init.d/%s", o->sysv_script);
		add_disable(o, xasprintf("update-rc.d %s disable (Red Hat: "
		    "chkconfig %s off)", o->sysv_script, o->sysv_script));
		add_disable(o, xasprintf("service %s stop", o->sysv_script));
		break;
	case ORIGIN_CONTAINER:
		strbuf_addf(&sb, "%s container %.12s", o->runtime,
		    o->container_id);
		if (o->container_name)
			strbuf_addf(&sb, " (%s)", o->container_name);
		if (strcmp(o->runtime, "docker") == 0 ||
		    strcmp(o->runtime, "podman") == 0) {
			add_disable(o, xasprintf("%s update --restart=no %.12s",
			    o->runtime, o->container_id));
			add_disable(o, xasprintf("%s stop %.12s", o->runtime,
			    o->container_id));
		} else if (strcmp(o->runtime, "kubernetes") == 0) {
			add_disable(o, xstrdup("scale the pod's controller to "
			    "zero (kubectl scale --replicas=0 ...) or delete "
			    "it: a pod deleted alone is recreated"));
		} else {
			add_disable(o, xasprintf("stop the %s container %s",
			    o->runtime, o->container_id));
		}
		break;
	case ORIGIN_CRON:
	case ORIGIN_AT:
		strbuf_addf(&sb, "%s job (under %s %d)", o->kind == ORIGIN_CRON ?
		    "cron" : "at", o->via, (int)o->via_pid);
		add_disable(o, xstrdup(o->kind == ORIGIN_CRON ?
		    "remove the job from the crontab (crontab -u USER -e, "
		    "/etc/crontab, /etc/cron.d)" :
		    "remove the job: atq, then atrm JOB"));
		add_disable(o, xasprintf("kill %d", (int)pid));
		break;
	case ORIGIN_SUPERVISOR:
		strbuf_addf(&sb, "supervised by %s %d", o->via,
		    (int)o->via_pid);
		add_disable(o, xstrdup(strcmp(o->via, "supervisord") == 0 ?
		    "supervisorctl stop NAME, and autostart=false in its "
		    "[program:NAME] section" :
		    strncmp(o->via, "runsv", 5) == 0 ?
		    "sv down SERVICE, and remove its link from the service "
		    "directory" : strncmp(o->via, "s6", 2) == 0 ?
		    "s6-svc -d SERVICEDIR" :
		    "stop it through its supervisor, or it is restarted"));
		break;
	case ORIGIN_LOGIN:
		strbuf_addstr(&sb, "started by hand");
		if (o->login_user)
			strbuf_addf(&sb, " by %s", o->login_user);
		if (o->tty)
			strbuf_addf(&sb, " on %s", o->tty);
		if (o->remote)
			strbuf_addf(&sb, " from %s", o->remote);
		else if (o->via)
			strbuf_addf(&sb, " via %s %d", o->via, (int)o->via_pid);
		if (o->tty == NULL && o->remote == NULL)
			strbuf_addstr(&sb, ", no terminal");
		add_disable(o, xasprintf("kill %d (nothing restarts it)",
		    (int)pid));
		break;
	case ORIGIN_KERNEL:
		strbuf_addstr(&sb, "kernel (no process)");
		add_disable(o, xstrdup("a kernel socket: unload or "
		    "reconfigure the kernel feature that opened it"));
		break;
	default:
		strbuf_addstr(&sb, "unknown");
		if (o->nchain > 0)
			strbuf_addf(&sb, " (parent %s %d)", o->chain[0].comm,
			    (int)o->chain[0].pid);
		if (pid > 0)
			add_disable(o, xasprintf("kill %d, then find what "
			    "starts it from its parent chain", (int)pid));
		break;
	}
	o->summary = strbuf_detach(&sb);
	strbuf_release(&sb);
}
