#!/usr/bin/perl
#
# tools/gen_casefold.pl: writes common/casefold_table.h, the folding table
# of case-insensitive shares (common/casefold.h), to standard output:
#
#	perl tools/gen_casefold.pl > common/casefold_table.h
#
# From the Unicode Character Database that Perl carries (Unicode::UCD),
# never from a locale.  Two code points of the Basic Multilingual Plane
# are the same letter when one is the other's simple uppercase mapping
# (UnicodeData.txt field 12) or both have the same one: the equivalence
# Windows' upcase table gives names, which compares UTF-16 code units
# (so nothing past U+FFFF folds).  A mapping whose two sides differ in
# UTF-8 length is left out (a folded name keeps its name's length), and
# so is every code point that only such a mapping joins to a letter:
# U+0131, U+017F, U+0250 and the like.  Each letter folds to its class's
# lower-case member where there is one that the class holds, else to
# its upper-case one.
#
# The table: ranges (first, last, step, delta), in order, not
# overlapping; a code point c of a range with (c - first) % step == 0
# folds to c + delta, every other one to itself.

use strict;
use warnings;
use Unicode::UCD qw(prop_invmap);

sub mapping {
	my ($prop) = @_;
	my ($list, $map, $format, $default) = prop_invmap($prop);
	die "$prop: format $format\n" unless $format =~ /^a/;
	my %m;
	for my $i (0 .. $#$list - 1) {
		my $v = $map->[$i];
		next if ref $v or $v eq $default or $v eq '0';
		for my $cp ($list->[$i] .. $list->[$i + 1] - 1) {
			last if $cp > 0xffff;
			# "a" format: the value is that of the range's first
			my $to = $v + ($cp - $list->[$i]);
			$m{$cp} = $to if $to != $cp;
		}
	}
	return \%m;
}

sub utf8len {
	my ($cp) = @_;
	return $cp < 0x80 ? 1 : $cp < 0x800 ? 2 : 3;
}

my $upper = mapping('Simple_Uppercase_Mapping');
my $lower = mapping('Simple_Lowercase_Mapping');

# root: the class a code point is in, named by its upper-case member.
my (%root, %members);
for my $cp (0 .. 0xffff) {
	next if $cp >= 0xd800 && $cp <= 0xdfff;
	my $up = $upper->{$cp};
	next unless defined $up && $up <= 0xffff &&
	    utf8len($up) == utf8len($cp);
	die sprintf("U+%04X: upper case U+%04X is not its own\n", $cp, $up)
	    if defined $upper->{$up};
	$root{$cp} = $up;
	push @{$members{$up}}, $cp;
}

my %fold;
for my $r (keys %members) {
	my $lo = $lower->{$r};
	my $rep = $r;
	$rep = $lo if defined $lo && defined $root{$lo} && $root{$lo} == $r;
	for my $cp ($r, @{$members{$r}}) {
		$fold{$cp} = $rep if $cp != $rep;
	}
}

# Runs of one delta, step 1 or 2.
my @ranges;
for my $cp (sort { $a <=> $b } keys %fold) {
	my $d = $fold{$cp} - $cp;
	my $last = @ranges ? $ranges[-1] : undef;
	if ($last && $last->{delta} == $d) {
		my $gap = $cp - $last->{last};
		if ($gap == $last->{step} ||
		    ($last->{first} == $last->{last} && $gap == 2)) {
			$last->{step} = $gap;
			$last->{last} = $cp;
			next;
		}
	}
	push @ranges, { first => $cp, last => $cp, step => 1, delta => $d };
}

printf "/*\n * common/casefold_table.h: made by tools/gen_casefold.pl from " .
    "the\n * Unicode %s character database; do not edit.\n */\n",
    Unicode::UCD::UnicodeVersion();
printf "#define CASEFOLD_UNICODE_VERSION \"%s\"\n",
    Unicode::UCD::UnicodeVersion();
print "static const struct casefold_range casefold_ranges[] = {\n";
for my $r (@ranges) {
	printf "\t{ 0x%04x, 0x%04x, %d, %d },\n", $r->{first}, $r->{last},
	    $r->{step}, $r->{delta};
}
print "};\n";
