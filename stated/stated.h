/*
 * dittofs-stated: owner of all protocol state (DESIGN.md section 5).
 * It parses no network input; front ends reach it over stated.sock.
 */
#ifndef DITTOFS_STATED_H
#define DITTOFS_STATED_H

#include "daemon.h"

struct stated_env {
	struct daemon	*daemon;
};

#endif
