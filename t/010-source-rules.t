# Rules the code must keep that a compiler does not check: no SQL built
# from strings, no escaping functions, and every symbol of the static
# library carries its module's prefix.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $src = OCH::Stack::srcdir();
my @c = grep { !m{/t/unit/} } map { glob "$src/$_/*.[ch]" } qw(lib cgi-bin poller tools sim);
ok(@c > 10, scalar(@c) . ' C files checked');

my (@escape, @exec, @fmt);
for my $f (@c) {
	open my $fh, '<', $f or die "$f: $!";
	my $n = 0;
	while (my $l = <$fh>) {
		$n++;
		(my $rel = $f) =~ s{^\Q$src\E/}{};
		push @escape, "$rel:$n" if $l =~ /\bPQescape\w*\s*\(/;
		# PQexec only with a constant statement (BEGIN, LISTEN, ...);
		# ochctl runs the schema files; db.c's BEGIN/COMMIT/ROLLBACK helper
		push @exec, "$rel:$n" if $l =~ /\bPQexec\s*\(\s*[^,]+,\s*+(?!")/ && $rel !~ m{^(?:tools/ochctl\.c|lib/db\.c)$};
		push @fmt, "$rel:$n" if $l =~ /\b(?:s?n?printf|xasprintf|buf_printf|asprintf)\s*\(.*"\s*(?:SELECT|INSERT|UPDATE|DELETE)\s/i;
	}
	close $fh;
}
is_deeply(\@escape, [], 'no PQescape*: values travel as parameters');
is_deeply(\@exec, [], 'PQexec only with constant SQL');
is_deeply(\@fmt, [], 'no SQL assembled with printf');

my $lib = OCH::Stack::builddir() . '/lib/libcore.a';
my @syms = grep { /^[0-9a-f]*\s+[TDBRC]\s+(\S+)/ } `nm -g --defined-only '$lib' 2>/dev/null`;
ok(@syms > 20, 'library symbols listed');
my $prefixes = qr/^(?:err_|x[a-z]|buf_|log_|cfg_|db_|req_|resp_|srv_|auth_|cry_|tok_|valid_|hmac_|hcl_|hz_|cf_|rs_|wh_|inst_|audit_|js_|tpl_|recon_|obx_|ud_|agent_|sess_|prom_|met_|alert_|stats_|fleet_|s3_|bak_|view_|pool_)/;
my @bad = grep { !/$prefixes/ } map { /\s(\S+)$/ ? $1 : () } @syms;
is_deeply(\@bad, [], 'every exported symbol has a module prefix');

done_testing;
