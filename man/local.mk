## Manual pages, mdoc(7).  Each must pass mandoc -Tlint (test_man.sh).
dist_man_MANS += man/dittofs.7 man/dittofs.conf.5 man/dittofs-run.8 \
	man/dittofsctl.8 man/dittofs-stated.8 man/dittofs-blockd.8
dist_man_MANS += man/dittofs-nfsd.8 man/dittofs-smbd.8

TESTS += tests/unit/test_man.sh
EXTRA_DIST += tests/unit/test_man.sh
dist_man_MANS += man/dittofs-lockd.8 man/dittofs-statd.8
dist_man_MANS += man/dittofs-gssd.8
