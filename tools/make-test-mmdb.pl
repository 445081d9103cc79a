#!/usr/bin/perl
# Copyright (c) 2026 mailbox-monitor authors
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds a MaxMind DB (MMDB) file from a CSV of address ranges, for tests:
# the unit tests' databases (tests/fixtures/geo/test-ranges.csv) and
# databases for the generator's data (tools/tenantgen: ip-ranges.csv).
#
# usage: make-test-mmdb.pl [--country-only | --asn-only] [--drop-reserved]
#                          [--alias-ipv4] [--type NAME] INPUT.csv OUTPUT.mmdb
#
# INPUT.csv has a header row naming its columns, in any order:
#   cidr (required), country, asn, as_org, latitude, longitude, accuracy_radius
# Other columns (the generator's "hosting") are ignored: whether an ASN is a
# hosting network is the policy's list, not the database's.  Empty cells are
# left out of the record.  Fields may be quoted ("Zscaler, Inc.").
#
# The records have the GeoIP2 / GeoLite2 field names mailbox-monitor reads:
#   default         country.iso_code, registered_country.iso_code,
#                   location.{latitude,longitude,accuracy_radius},
#                   autonomous_system_number, autonomous_system_organization
#                   (database type MailboxMonitor-Test-City)
#   --country-only  country.iso_code and registered_country.iso_code only, like
#                   GeoLite2-Country (type MailboxMonitor-Test-Country)
#   --asn-only      the two autonomous_system fields only, like GeoLite2-ASN
#                   (type MailboxMonitor-Test-ASN)
#   --type NAME     another database type in the metadata (readers may judge
#                   a database by it: "GeoLite2-City", "DBIP-Country-Lite")
#
# Choices, different from MaxMind's own databases on purpose:
#   * Reserved, private and documentation ranges are KEPT
#     (remove_reserved_networks => 0).  The writer's default silently drops
#     them, and a test database must hold exactly what its CSV says: a row
#     that vanished would make a test pass or fail for the wrong reason, and
#     the project's fixtures use documentation addresses (203.0.113.0/24).
#     --drop-reserved restores the writer's default (real databases have none
#     of these ranges).
#   * IPv4 is not aliased into IPv6 (::ffff:0:0/96, 2002::/16), so a test
#     proves that the reader itself looks ::ffff:a.b.c.d up as a.b.c.d.
#     --alias-ipv4 adds the aliases, as MaxMind's databases have.
#
# Needs Debian's libmaxmind-db-writer-perl.
use strict;
use warnings;

use Getopt::Long qw(GetOptions);
use MaxMind::DB::Writer::Tree;

my ($country_only, $asn_only, $drop_reserved, $alias_ipv4, $type) = (0, 0, 0, 0, undef);
GetOptions(
  'type=s'        => \$type,
  'country-only'  => \$country_only,
  'asn-only'      => \$asn_only,
  'drop-reserved' => \$drop_reserved,
  'alias-ipv4'    => \$alias_ipv4,
) or usage();
usage() unless @ARGV == 2 && !($country_only && $asn_only);
my ($input, $output) = @ARGV;

sub usage {
  print STDERR "usage: $0 [--country-only | --asn-only] [--drop-reserved] [--alias-ipv4] [--type NAME] INPUT.csv OUTPUT.mmdb\n";
  exit 2;
}

# one CSV line into fields: RFC 4180 quoting, "" inside quotes is a quote
sub split_csv {
  my ($line, $where) = @_;
  my @fields;
  my $field = '';
  my $quoted = 0;
  my $i = 0;
  my $n = length $line;
  while ($i < $n) {
    my $c = substr($line, $i, 1);
    if ($quoted) {
      if ($c eq '"') {
        if ($i + 1 < $n && substr($line, $i + 1, 1) eq '"') { $field .= '"'; $i++; }
        else { $quoted = 0; }
      }
      else { $field .= $c; }
    }
    elsif ($c eq '"') { $quoted = 1; }
    elsif ($c eq ',') { push @fields, $field; $field = ''; }
    else { $field .= $c; }
    $i++;
  }
  die "$where: unterminated quote\n" if $quoted;
  push @fields, $field;
  return @fields;
}

my %types = (
  country                        => 'map',
  registered_country             => 'map',
  iso_code                       => 'utf8_string',
  location                       => 'map',
  latitude                       => 'double',
  longitude                      => 'double',
  accuracy_radius                => 'uint16',
  autonomous_system_number       => 'uint32',
  autonomous_system_organization => 'utf8_string',
);

my $kind = $country_only ? 'Country' : $asn_only ? 'ASN' : 'City';
my $tree = MaxMind::DB::Writer::Tree->new(
  ip_version               => 6,
  record_size              => 28,
  database_type            => $type // "MailboxMonitor-Test-$kind",
  languages                => ['en'],
  description              => { en => "mailbox-monitor test database ($kind) built from $input" },
  remove_reserved_networks => $drop_reserved ? 1 : 0,
  alias_ipv6_to_ipv4       => $alias_ipv4 ? 1 : 0,
  map_key_type_callback    => sub { $types{ $_[0] } // die "no type for key $_[0]\n" },
);

open my $in, '<:encoding(UTF-8)', $input or die "$input: $!\n";
my $header = <$in>;
die "$input: empty\n" unless defined $header;
$header =~ s/\r?\n\z//;
$header =~ s/\A\x{feff}//;
my %col;
my @names = split_csv($header, "$input:1");
@col{ map { lc } @names } = (0 .. $#names);
die "$input: no cidr column\n" unless exists $col{cidr};

my $rows = 0;
while (my $line = <$in>) {
  $line =~ s/\r?\n\z//;
  next if $line =~ /\A\s*(#|\z)/;
  my $where = "$input:$.";
  my @f = split_csv($line, $where);
  my %v = map { $_ => (exists $col{$_} && defined $f[ $col{$_} ] ? $f[ $col{$_} ] : '') }
    qw(cidr country asn as_org latitude longitude accuracy_radius);
  die "$where: no cidr\n" unless length $v{cidr};
  die "$where: bad cidr '$v{cidr}'\n" unless $v{cidr} =~ m{\A[0-9A-Fa-f:.]+/\d+\z};

  my %record;
  if (!$asn_only && length $v{country}) {
    die "$where: bad country '$v{country}'\n" unless $v{country} =~ /\A[A-Za-z]{2}\z/;
    $record{country}            = { iso_code => uc $v{country} };
    $record{registered_country} = { iso_code => uc $v{country} };
  }
  if (!$asn_only && !$country_only && length $v{latitude} && length $v{longitude}) {
    my %loc = (latitude => 0 + $v{latitude}, longitude => 0 + $v{longitude});
    $loc{accuracy_radius} = 0 + $v{accuracy_radius} if length $v{accuracy_radius};
    $record{location} = \%loc;
  }
  if (!$country_only && length $v{asn}) {
    die "$where: bad asn '$v{asn}'\n" unless $v{asn} =~ /\A(?:AS)?(\d+)\z/i;
    $record{autonomous_system_number} = 0 + $1;
    $record{autonomous_system_organization} = $v{as_org} if length $v{as_org};
  }
  next unless %record;
  $tree->insert_network($v{cidr}, \%record);
  $rows++;
}
close $in;
die "$input: no ranges\n" unless $rows;

my $tmp = "$output.tmp$$";
open my $out, '>:raw', $tmp or die "$tmp: $!\n";
$tree->write_tree($out);
close $out or die "$tmp: $!\n";
rename $tmp, $output or die "$output: $!\n";
