# elh-runc, the OCI runtime: bundles against plain runc, and containerd.
# Each needs root, runc and a sandbox that can run containers, else it
# skips; the KVM variants also need elh's KVM platform to run a program.

TESTS += \
	testsuite/oci/bundles-systrap.sh \
	testsuite/oci/bundles-kvm.sh \
	testsuite/oci/containerd-systrap.sh \
	testsuite/oci/containerd-kvm.sh

EXTRA_DIST += testsuite/oci/lib-oci.sh testsuite/oci/bundles.sh testsuite/oci/containerd.sh \
	runtime/containerd-elh.toml
