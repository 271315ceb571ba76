/*
 * dittofs.conf reader.  INI format: "[section]" or "[share NAME]",
 * "key = value", '#' and ';' comments, "include = FILE".  Every key is
 * declared in a schema table (config.c); an unknown section or key, or a
 * value of the wrong type, is an error naming file:line.
 */
#ifndef DITTOFS_CONF_H
#define DITTOFS_CONF_H

#include <stddef.h>
#include <stdio.h>

#define CONF_DEFAULT_PATH	SYSCONFDIR "/dittofs/dittofs.conf"
#define CONF_INCLUDE_DEPTH_MAX	8

struct conf_value {
	char	*key;		/* normalised: lower case, single spaces */
	char	*value;
	char	*file;
	int	 line;
};

struct conf_section {
	char			*kind;	/* "global", "nfsd", "share", ... */
	char			*name;	/* "[share NAME]": NAME, else NULL */
	char			*file;
	int			 line;
	struct conf_value	*values;
	size_t			 nvalues;
};

struct conf {
	char			*path;
	struct conf_section	*sections;
	size_t			 nsections;
};

struct conf	*conf_load(const char *path, char *err, size_t errlen);
struct conf	*conf_load_stream(FILE *, const char *path, char *err,
		    size_t errlen);
struct conf	*conf_parse_string(const char *text, const char *name,
		    char *err, size_t errlen);
void		 conf_free(struct conf *);
int		 conf_dump(const struct conf *, FILE *);

const struct conf_section *conf_section(const struct conf *,
		    const char *kind);
const struct conf_section *conf_next_section(const struct conf *,
		    const char *kind, const struct conf_section *prev);

/* Values with schema defaults; the section may be NULL (all defaults). */
const char	*conf_section_get(const struct conf_section *,
		    const char *kind, const char *key);
long long	 conf_section_get_int(const struct conf_section *,
		    const char *kind, const char *key);
int		 conf_section_get_bool(const struct conf_section *,
		    const char *kind, const char *key);

const char	*conf_get(const struct conf *, const char *kind,
		    const char *key);
long long	 conf_get_int(const struct conf *, const char *kind,
		    const char *key);
int		 conf_get_bool(const struct conf *, const char *kind,
		    const char *key);

/* Derived paths, e.g. the run directory joined with "stated.sock". */
int		 conf_run_path(const struct conf *, const char *leaf,
		    char *buf, size_t len);
int		 conf_state_path(const struct conf *, const char *leaf,
		    char *buf, size_t len);

int		 conf_is_daemon_section(const char *kind);
int		 conf_parse_bool(const char *text, int *out);

#endif
