/*
 * x86-64 4-level page tables for the guest, built by the monitor.
 *
 * The guest's arena is mapped 1:1 (guest-virtual == guest-physical ==
 * host-virtual), user-accessible, writable and executable: the protections
 * the guest asked for live in the host mapping (the guest's mprotect is the
 * host's), which KVM honours.  The system area (these tables, the GDT, IDT,
 * TSS and ring-0 entry stubs) is mapped 1:1 too but supervisor-only, so code
 * at CPL 3 cannot read or change it.  Everything else is not present: a
 * guest access there raises #PF.
 *
 * 2 MiB pages are used wherever a 2 MiB aligned block lies wholly inside a
 * region, 4 KiB pages at unaligned edges.  Never 1 GiB pages: on PVM a host
 * mapping made inside one after the guest has touched it faults in the
 * guest with the present bit set (docs/ARCHITECTURE.md, "KVM flavours").
 */
#ifndef ELH_ARCH_X86_64_PAGETABLE_H
#define ELH_ARCH_X86_64_PAGETABLE_H

#include <stddef.h>
#include <stdint.h>

#define ELH_PTE_P    (1ull << 0)
#define ELH_PTE_W    (1ull << 1)
#define ELH_PTE_U    (1ull << 2)
#define ELH_PTE_PS   (1ull << 7)
#define ELH_PTE_NX   (1ull << 63)
#define ELH_PTE_ADDR 0x000ffffffffff000ull

/*
 * A bump allocator of zeroed, page-aligned table pages inside a host buffer
 * that the guest sees at guest-physical address gpa.
 */
struct elh_pt_builder {
	uint8_t *host; /* host view of the table pages */
	uint64_t gpa;  /* guest-physical address of host[0] */
	size_t size;   /* bytes available */
	size_t used;   /* bytes handed out */
	uint64_t cr3;  /* guest-physical address of the PML4 */
};

/* Start with an empty PML4 at the beginning of the buffer: 0 or -ENOMEM. */
int elh_pt_init(struct elh_pt_builder *b, void *host, uint64_t gpa, size_t size);

/*
 * Map [va, va + len) to the same guest-physical addresses with the given
 * leaf flags (ELH_PTE_W, ELH_PTE_U, ELH_PTE_NX).  va and len must be 4 KiB
 * aligned and the range canonical and below 2^47; regions must not overlap.
 * Returns 0, -EINVAL or -ENOMEM (out of table pages).
 */
int elh_pt_map_identity(struct elh_pt_builder *b, uint64_t va, uint64_t len, uint64_t flags);

/*
 * Walk the tables as the MMU would for a CPL-3 (user) or CPL-0 access.
 * Returns 0 and the translation, the effective flags (P, W, U, NX combined
 * across levels) and, if leaf_size is not NULL, the size of the page that
 * maps va; or -1 if not present.  For tests and fault diagnostics.
 */
int elh_pt_walk(const struct elh_pt_builder *b, uint64_t va, uint64_t *pa, uint64_t *flags,
		uint64_t *leaf_size);

/* Upper bound on the table bytes elh_pt_map_identity needs for len bytes. */
size_t elh_pt_budget(uint64_t len);

#endif
