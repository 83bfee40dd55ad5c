/*
 * allocator.h - how the process's allocator is set up before any thread starts.
 *
 * The data path allocates and frees small blocks by the hundred thousand a second, most of them
 * in librdkafka (a message and its copy of the payload, a header list and each header), freed in
 * batches when their delivery or fetch is done. glibc keeps freed blocks up to 128 bytes in
 * "fastbins", never merged with their neighbours until something forces a consolidation; between
 * a batch's allocation and its release those blocks fragment the heap, and every larger
 * allocation walks bins of leftovers. A source whose records carry one header (three more small
 * blocks each) produced at about 40% of the rate of the same source without it. With fastbins
 * off, a small block freed is merged at once (the per-thread cache still serves the hot sizes):
 * the same source reached about 75%, and the path without headers lost nothing
 * (bench/README.md, "Transforms").
 */
#ifndef FERRY_ALLOCATOR_H
#define FERRY_ALLOCATOR_H

/* Call first thing in main, before any thread. Leaves the allocator as it is when
 * GLIBC_TUNABLES names glibc.malloc.mxfast (the operator's choice wins) or when the C library is
 * not glibc. */
void allocator_configure(void);

#endif
