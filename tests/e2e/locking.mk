## tests/e2e/test_locking_kernel.sh: NLM locking with the Linux kernel
## NFSv3 client in the e2e guest against lockd/statd/stated (issue 5's
## end-to-end list), the guest on a tap device so lockd can call it back.
## tests/e2e/lock-helper.c is compiled (gcc -static) by the test itself.
TESTS += tests/e2e/test_locking_kernel.sh
EXTRA_DIST += tests/e2e/test_locking_kernel.sh tests/e2e/lock-helper.c
