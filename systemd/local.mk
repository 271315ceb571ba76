## systemd integration: one unit per daemon, dittofs.target, sysusers.d
## and tmpfiles.d.  The units and tmpfiles.d name installation paths, so
## they are made here from *.in with the paths make was given (a prefix
## passed to make or to distcheck reaches them).  sysusers.d and
## tmpfiles.d files are built under the name they are installed with.
sysusersdir = $(prefix)/lib/sysusers.d
tmpfilesdir = $(prefix)/lib/tmpfiles.d

systemd_units = systemd/dittofs-stated.service systemd/dittofs-blockd.service \
	systemd/dittofs-nfsd.service systemd/dittofs-lockd.service \
	systemd/dittofs-statd.service systemd/dittofs-smbd.service
# dittofs-gssd (issue 26).
systemd_units += systemd/dittofs-gssd.service
nodist_systemdsystemunit_DATA = $(systemd_units)
dist_systemdsystemunit_DATA = systemd/dittofs.target \
	systemd/dittofs-nfsd.socket systemd/dittofs-smbd.socket
nodist_sysusers_DATA = systemd/sysusers.d/dittofs.conf
nodist_tmpfiles_DATA = systemd/tmpfiles.d/dittofs.conf

systemd_edit = sed -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@localstatedir[@]|$(localstatedir)|g'

# Units name install paths: made from NAME.service.in with make's paths.
systemd/%.service: systemd/%.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && rm -f $@ $@.tmp && \
	$(systemd_edit) $< >$@.tmp && mv $@.tmp $@
systemd/tmpfiles.d/dittofs.conf: $(srcdir)/systemd/dittofs-tmpfiles.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd/tmpfiles.d && rm -f $@ $@.tmp && \
	$(systemd_edit) $(srcdir)/systemd/dittofs-tmpfiles.conf.in >$@.tmp && \
	mv $@.tmp $@
systemd/sysusers.d/dittofs.conf: $(srcdir)/systemd/dittofs-sysusers.conf
	$(AM_V_GEN)$(MKDIR_P) systemd/sysusers.d && \
	cp $(srcdir)/systemd/dittofs-sysusers.conf $@

CLEANFILES += $(systemd_units) systemd/tmpfiles.d/dittofs.conf \
	systemd/sysusers.d/dittofs.conf
EXTRA_DIST += $(systemd_units:=.in) systemd/dittofs-tmpfiles.conf.in \
	systemd/dittofs-sysusers.conf

# Each unit's exposure under systemd-analyze security must stay <= 2.0.
TESTS += tests/unit/test_units.sh
EXTRA_DIST += tests/unit/test_units.sh

# The daemons started as their units start them (User=, ambient
# capabilities, nfsd's socket passed in), without systemd.
TESTS += tests/integration/test_service.sh
EXTRA_DIST += tests/integration/test_service.sh
