# The route manifest (lib/routes.def) against everything derived from it:
# the generated nginx locations and docs/api.md's route index are what
# tools/och-routes prints; through the shipped nginx config every route
# reaches the binary the manifest names (that binary's own counter for
# that very route moves; no binary counts an unrouted request); a wrong
# method gets the binary's 405 naming exactly the manifest's methods; a
# path not in the manifest is nginx's 404 and reaches no binary; the
# audit column names each action once and no handler repeats it.
use strict;
use warnings;
use lib "$ENV{OCH_SRCDIR}/t/lib";
use OCH::Test;

my $t = OCH::Test->new;
my $gen = $t->bin('tools/och-routes');

# 1. the generated files are up to date
for my $f ([ nginx => 'nginx/och-site.conf.in' ], [ docs => 'docs/api.md' ]) {
	my ($kind, $rel) = @$f;
	my $out = `'$gen' $kind <'${\ $t->src($rel)}'`;
	is($?, 0, "och-routes $kind ran");
	open my $fh, '<', $t->src($rel) or die "$rel: $!";
	my $have = do { local $/; <$fh> };
	ok($out eq $have, "$rel holds what lib/routes.def says (else: make routes)");
}

# the manifest: [binary, method, pattern, auth]
my @routes = map { chomp; [ split /\t/ ] } `'$gen' list`;
is($?, 0, 'och-routes list ran');
cmp_ok(scalar @routes, '>', 60, scalar(@routes) . ' routes in the manifest');
my %bins = map { $_->[0] => 1 } @routes;
is_deeply([ sort keys %bins ], [ sort qw(health instances auth agent settings metrics backups alerts webhooks admin) ],
    'the manifest names every FastCGI binary');

# the audit column: [method, pattern, action, object kind]; an action is
# named by one route, its object is the route's first path parameter, and
# no handler writes it by hand (the front line does: one home)
my @audit = map { chomp; [ split /\t/ ] } `'$gen' audit`;
is($?, 0, 'och-routes audit ran');
cmp_ok(scalar @audit, '>=', 14, scalar(@audit) . ' routes audited by the front line');
my %action;
for my $a (@audit) {
	my ($m, $p, $act, $kind) = @$a;
	like($act, qr/^[a-z]+(?:\.[a-z_]+)+$/, "$m $p audits $act");
	ok(!$action{$act}++, '  an action no other route names');
	ok($kind eq '-' || $p =~ m{^/api/v1/[a-z-]+/\{[a-z_]+\}}, "  its object ($kind) is the first path parameter");
}
my %src;
for my $f (glob($t->src('cgi-bin') . '/*.c')) {
	open my $fh, '<', $f or die "$f: $!";
	$src{$f} = do { local $/; <$fh> };
}
for my $act (sort keys %action) {
	my @by_hand = grep { index($src{$_}, qq{"$act"}) >= 0 } sort keys %src;
	is_deeply(\@by_hand, [], "no handler writes $act itself");
}

# the manifest's checks refuse an ambiguous or malformed table
{
	my $dir = $t->dir . '/bad';
	mkdir $dir;
	open my $fh, '>', "$dir/routes.def" or die $!;
	open my $in, '<', $t->src('lib/routes.def') or die $!;
	my $def = do { local $/; <$in> };
	# alerts.fcgi claims a path that instances.fcgi serves too
	$def =~ s{(#define OCH_ROUTES_alerts\(X\) \\\n)}{$1\tX(GET, "/api/v1/instances/{x}/usage", AUTH_SESSION, 0, h_x, NGX_API, "x") \\\n};
	print $fh $def;
	close $fh;
	my $cc = $ENV{CC} // 'cc';
	system($cc, '-I', $dir, '-o', "$dir/och-routes", $t->src('tools/och-routes.c')) == 0
	    or BAIL_OUT('cannot build och-routes from a copy');
	my $err = `'$dir/och-routes' list 2>&1 >/dev/null`;
	isnt($? >> 8, 0, 'a path two binaries could serve is refused');
	like($err, qr{/api/v1/instances/\{id\}/usage: a path could match a pattern of another binary},
	    'naming the pattern');
}

# 2. the running binaries behind the shipped nginx config
$t->start_pg;
my $stats = $t->dir . '/stats';
$t->start_api(binaries => [ sort keys %bins ], config => { OCH_STATS_DIR => $stats });

sub fill {
	my ($p) = @_;
	(my $path = $p) =~ s/\{[a-z_]+\}/7/g;
	return $path;
}
my %methods;
push @{ $methods{"$_->[0] $_->[2]"} }, $_->[1] for @routes;
for my $r (@routes) {
	my ($bin, $m, $p) = @$r;
	my $res = $t->http($m => fill($p), $m =~ /^(?:PUT|POST)$/ ? (body => {}) : ());
	my $msg = ref $res->{json} eq 'HASH' && ref $res->{json}{error} eq 'HASH' ? $res->{json}{error}{message} // '' : '';
	ok(!($res->{status} == 404 && $msg eq 'not found'), "$m $p is not nginx's 404")
	    or diag "$res->{status} $res->{content}";
}
my $m = $t->http(GET => '/internal/metrics')->{content};
for my $r (@routes) {
	my ($bin, $meth, $p) = @$r;
	my $n = 0;
	$n += $1 while $m =~ /^och_http_requests_total\{program="\Q$bin\E",method="\Q$meth\E",route="\Q$p\E",code="[^"]+"\} (\d+)$/mg;
	cmp_ok($n, '>=', 1, "$meth $p reached $bin.fcgi and its route $meth $p");
}
my @unrouted = $m =~ /^och_http_requests_total\{program="([^"]+)",method="ANY",route="\(unrouted\)",code="[^"]+"\} [1-9]/mg;
is_deeply(\@unrouted, [], 'no binary was sent a path it has no route for');

# a method the manifest does not list: the binary's 405 with its Allow
for my $k (sort keys %methods) {
	my ($bin, $p) = split / /, $k, 2;
	my $res = $t->http(PATCH => fill($p), body => {});
	is($res->{status}, 405, "PATCH $p: 405 from $bin.fcgi");
	is(join(', ', sort split /,\s*/, $res->{headers}{allow} // ''), join(', ', sort @{ $methods{$k} }),
	    "  Allow: the manifest's methods");
}

# 3. paths that are not in the manifest: nginx's 404, no binary sees them
# (the 405s above count as unrouted: compare the totals)
sub unrouted {
	my $text = $t->http(GET => '/internal/metrics')->{content};
	my $n = 0;
	$n += $1 while $text =~ /^och_http_requests_total\{program="[^"]+",method="ANY",route="\(unrouted\)",code="[^"]+"\} (\d+)$/mg;
	return $n;
}
my $before = unrouted();
cmp_ok($before, '>=', scalar keys %methods, 'the 405s were counted as unrouted');
my @not = qw(/api/v1/nope /api/v1/instances/ /api/v1/instances/7/nope /api/v1/instances/7/channels/a/b
    /api/v1/admin/nope /api/v1/admin/ /api/v1/agent/nope /api/v1/auth/nope /api/v1/me/x
    /api/v1/alerts/x /api/v1/webhooks/other /api/health/x /api/v2/instances);
for my $p (@not) {
	my $res = $t->http(GET => $p);
	is($res->{status}, 404, "GET $p: 404");
	is(ref $res->{json} eq 'HASH' ? $res->{json}{error}{code} : '', 'not_found', '  in the API error shape');
}
is(unrouted(), $before, 'none of them reached a binary');

done_testing;
