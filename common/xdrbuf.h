/*
 * common/xdrbuf.h: checked XDR (RFC 4506) over memory buffers, for the
 * RPC wire of the protocol front ends.  Every length is compared with
 * what is left before it is used.
 */
#ifndef DITTOFS_COMMON_XDRBUF_H
#define DITTOFS_COMMON_XDRBUF_H

#include <stddef.h>
#include <stdint.h>

struct xdrbuf_in {
	const uint8_t	*p;
	size_t		 len;
	size_t		 pos;
};

struct xdrbuf_out {
	uint8_t		*buf;
	size_t		 len;
	size_t		 cap;
	int		 failed;	/* out of memory: the reply is lost */
};

void	 xdrbuf_in_init(struct xdrbuf_in *, const void *, size_t);
size_t	 xdrbuf_in_left(const struct xdrbuf_in *);
int	 xdrbuf_get_u32(struct xdrbuf_in *, uint32_t *);
int	 xdrbuf_get_u64(struct xdrbuf_in *, uint64_t *);
int	 xdrbuf_get_bool(struct xdrbuf_in *, int *);
int	 xdrbuf_get_fixed(struct xdrbuf_in *, void *, size_t);
/* A counted opaque or string of at most max bytes, pointing into the buffer. */
int	 xdrbuf_get_opaque(struct xdrbuf_in *, const uint8_t **, uint32_t *,
	    uint32_t max);
int	 xdrbuf_skip(struct xdrbuf_in *, size_t);
void	 xdrbuf_out_init(struct xdrbuf_out *);
void	 xdrbuf_out_free(struct xdrbuf_out *);
/* Room for n more bytes; a pointer to them, or NULL (failed is set). */
uint8_t	*xdrbuf_reserve(struct xdrbuf_out *, size_t);
void	 xdrbuf_put_u32(struct xdrbuf_out *, uint32_t);
void	 xdrbuf_put_u64(struct xdrbuf_out *, uint64_t);
void	 xdrbuf_put_fixed(struct xdrbuf_out *, const void *, size_t);
void	 xdrbuf_put_opaque(struct xdrbuf_out *, const void *, uint32_t);
void	 xdrbuf_put_u32_at(struct xdrbuf_out *, size_t, uint32_t);
uint32_t xdrbuf_peek_u32(const uint8_t *);

#endif
