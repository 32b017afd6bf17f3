# The email template contract: every template name the C code can queue
# (found in the source, not listed here: a new name without its files
# fails this test), and every template under templates/email/ (names the
# code composes, such as 'alert_' || event, are found this way), has a
# subject, an HTML and a text part, is installed (poller/local.mk), and
# renders with lib/outbox.c's renderer (t/unit/render-mail) when given the
# variables its parts name.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;
use JSON::PP;

my $t = OCH::Test->new;
my $src = $t->src;

# the names: literal template arguments of the queueing calls (inst_email,
# email_user), template names assigned to a transition's email, and the
# template of every INSERT INTO email_outbox statement
my %names;
for my $f (glob("$src/lib/*.c"), glob("$src/cgi-bin/*.c"), glob("$src/poller/*.c"), glob("$src/tools/*.c")) {
	my $c = do { local (@ARGV, $/) = $f; <> };
	(my $rel = $f) =~ s{^\Q$src\E/}{};
	$names{$1}{$rel} = 1 while $c =~ /\b(?:inst_email|email_user)\s*\([^;]*?"([a-z_]+)"/g;
	$names{$1}{$rel} = 1 while $c =~ /\b(?:mail|email)\s*=\s*"([a-z_]+)"\s*;/g;
	while ($c =~ /INSERT INTO email_outbox\b(.*?)"\s*\}\s*;/gs) {
		my $stmt = $1;
		$names{$1}{$rel} = 1 while $stmt =~ /SELECT\s+'([a-z_]+)'/g;
	}
}
delete $names{$_} for grep { !/^[a-z_]+$/ } keys %names;
my %files = map { m{/([a-z_]+)\.subject\.tmpl$} ? ($1 => 1) : () } glob("$src/templates/email/*.subject.tmpl");
$names{$_}{'templates/email'} //= 1 for grep { !$names{$_} } keys %files;
ok(scalar(keys %names) >= 6, 'template names found in the code: ' . join(', ', sort keys %names));
ok($names{magic_link}, 'magic_link is among them (cgi-bin/auth.c)');
ok($names{welcome}, 'and welcome (lib/inst.c)');

my $mk = do { local (@ARGV, $/) = "$src/poller/local.mk"; <> };
for my $n (sort keys %names) {
	my $where = join ', ', sort keys %{ $names{$n} };
	my %vars;
	for my $part (qw(subject html txt)) {
		my $f = "$src/templates/email/$n.$part.tmpl";
		ok(-s $f, "$n.$part.tmpl exists (queued by $where)") or next;
		like($mk, qr{templates/email/\Q$n.$part.tmpl\E}, "$n.$part.tmpl is installed");
		my $text = do { local (@ARGV, $/) = $f; <> };
		$vars{$1} = "$1-value" while $text =~ /\{\{\s*[#^\/]?\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
	}
	delete @vars{qw(email dashboard_url)};
	my $out = $t->_capture([ $t->bin('t/unit/render-mail'), $n, encode_json(\%vars) ], \my $err);
	is($? >> 8, 0, "$n renders") or diag $err;
	my $m = eval { decode_json($out) } // {};
	ok(length($m->{subject} // '') && $m->{subject} !~ /\n/, "$n: a one-line subject");
	ok(length($m->{text} // ''), "$n: a text part");
	like($m->{html} // '', qr/<html/i, "$n: an HTML part");
	unlike(($m->{text} // '') . ($m->{html} // ''), qr/\{\{/, "$n: nothing left unrendered");
}
is(system($t->bin('t/unit/render-mail'), 'no_such_template', '{}') >> 8, 1, 'a template without files does not render');

$t->done_testing;
