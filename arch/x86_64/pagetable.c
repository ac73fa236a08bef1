/* Building and walking the guest's identity-mapped page tables. */
#include "pagetable.h"

#include <errno.h>
#include <string.h>

#define PAGE	 4096ull
#define SZ_2M	 (1ull << 21)
#define VA_LIMIT (1ull << 47)

static uint64_t *table_at(const struct elh_pt_builder *b, uint64_t gpa)
{
	return (uint64_t *)(b->host + (gpa - b->gpa));
}

static int alloc_table(struct elh_pt_builder *b, uint64_t *gpa)
{
	if (b->size - b->used < PAGE)
		return -ENOMEM;
	*gpa = b->gpa + b->used;
	memset(b->host + b->used, 0, PAGE);
	b->used += PAGE;
	return 0;
}

int elh_pt_init(struct elh_pt_builder *b, void *host, uint64_t gpa, size_t size)
{
	if (((uintptr_t)host | gpa | size) & (PAGE - 1))
		return -EINVAL;
	b->host = host;
	b->gpa = gpa;
	b->size = size;
	b->used = 0;
	return alloc_table(b, &b->cr3);
}

/*
 * Return the next-level table that entry `e` points at, creating it.
 * Intermediate entries are maximally permissive (P|W|U); the leaf decides.
 */
static int next_table(struct elh_pt_builder *b, uint64_t *e, uint64_t *next)
{
	int r;

	if (*e & ELH_PTE_P) {
		if (*e & ELH_PTE_PS)
			return -EINVAL; /* overlaps a large page already mapped */
		*next = *e & ELH_PTE_ADDR;
		return 0;
	}
	r = alloc_table(b, next);
	if (r)
		return r;
	*e = *next | ELH_PTE_P | ELH_PTE_W | ELH_PTE_U;
	return 0;
}

int elh_pt_map_identity(struct elh_pt_builder *b, uint64_t va, uint64_t len, uint64_t flags)
{
	uint64_t end;

	if ((va | len) & (PAGE - 1) || !len || __builtin_add_overflow(va, len, &end) ||
	    end > VA_LIMIT || flags & ~(ELH_PTE_W | ELH_PTE_U | ELH_PTE_NX))
		return -EINVAL;
	flags |= ELH_PTE_P;

	while (va < end) {
		uint64_t *pml4 = table_at(b, b->cr3), pdpt, pd, pt;
		uint64_t *e;
		int r;

		r = next_table(b, &pml4[(va >> 39) & 511], &pdpt);
		if (r)
			return r;
		/* No 1 GiB leaves: PVM's shadow paging mishandles host
		 * mappings made later inside one (the guest then takes #PF
		 * with the present bit set).  2 MiB leaves work everywhere. */
		e = &table_at(b, pdpt)[(va >> 30) & 511];
		r = next_table(b, e, &pd);
		if (r)
			return r;
		e = &table_at(b, pd)[(va >> 21) & 511];
		if (!(va & (SZ_2M - 1)) && end - va >= SZ_2M && !(*e & ELH_PTE_P)) {
			*e = va | flags | ELH_PTE_PS;
			va += SZ_2M;
			continue;
		}
		r = next_table(b, e, &pt);
		if (r)
			return r;
		e = &table_at(b, pt)[(va >> 12) & 511];
		if (*e & ELH_PTE_P)
			return -EINVAL;
		*e = va | flags;
		va += PAGE;
	}
	return 0;
}

int elh_pt_walk(const struct elh_pt_builder *b, uint64_t va, uint64_t *pa, uint64_t *flags,
		uint64_t *leaf_size)
{
	uint64_t table = b->cr3, eff = ELH_PTE_P | ELH_PTE_W | ELH_PTE_U;

	if (va >= VA_LIMIT)
		return -1;
	for (int level = 3; level >= 0; level--) {
		unsigned shift = 12 + 9 * level;
		uint64_t e = table_at(b, table)[(va >> shift) & 511];

		if (!(e & ELH_PTE_P))
			return -1;
		eff &= e | ~(ELH_PTE_W | ELH_PTE_U);
		eff |= e & ELH_PTE_NX;
		if (level == 0 || (e & ELH_PTE_PS)) {
			uint64_t mask = (1ull << shift) - 1;

			*pa = (e & ELH_PTE_ADDR & ~mask) | (va & mask);
			*flags = eff;
			if (leaf_size)
				*leaf_size = mask + 1;
			return 0;
		}
		table = e & ELH_PTE_ADDR;
	}
	return -1;
}

size_t elh_pt_budget(uint64_t len)
{
	/* One PML4; per started 512 GiB a PDPT; per started GiB a PD; two
	 * page tables for each region's unaligned edges; a few spare. */
	uint64_t gib = (len >> 30) + 2;

	return (1 + (len >> 39) + 2 + gib + 4 + 4) * PAGE;
}
