/* Opening and checking the host's KVM device. */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int elh_kvm_open(char *err, size_t errlen)
{
	const char *dev = getenv("ELH_KVM_DEVICE");
	int fd, version;

	if (!dev || !*dev)
		dev = "/dev/kvm";
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		const char *why;

		switch (e) {
		case ENOENT:
			why = "KVM is not available on this host (no virtualization support, or "
			      "the kvm module is not loaded)";
			break;
		case EACCES:
		case EPERM:
			why = "permission denied: run as root or join the group that owns it "
			      "(usually kvm)";
			break;
		case ENODEV:
		case ENXIO:
			why = "no KVM driver is bound to the device (the hypervisor module refused "
			      "this host)";
			break;
		default: why = strerror(e); break;
		}
		snprintf(err, errlen, "cannot open %s: %s", dev, why);
		return -1;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		if (version < 0)
			snprintf(err, errlen, "%s is not a KVM device: %s", dev, strerror(errno));
		else
			snprintf(err, errlen, "%s speaks KVM API version %d; elh needs version %d",
				 dev, version, KVM_API_VERSION);
		close(fd);
		return -1;
	}
	if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) <= 0) {
		snprintf(err, errlen, "%s lacks KVM_CAP_USER_MEMORY", dev);
		close(fd);
		return -1;
	}
	return fd;
}
