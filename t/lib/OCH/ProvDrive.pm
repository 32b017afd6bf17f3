package OCH::ProvDrive;
# Runs t/unit/prov-drive (one provider call, one JSON line on stdout)
# against a test's och-cloudsim, for the provider client tests (t/45N):
# the environment points every client at the simulator with its default
# credentials, and everything the clients log is kept for checks.
use strict;
use warnings;
use JSON::PP;
use Test::More ();

sub new {
	my ($class, $t, $sim) = @_;
	my %S = %OCH::Stack::SIM;
	my %env = (
		OCH_CONFIG => $t->dir . '/empty.conf',
		HETZNER_API_URL => "$sim/hetzner/v1", HETZNER_API_TOKEN => $S{hetzner_token},
		CLOUDFLARE_API_URL => "$sim/cloudflare/client/v4",
		CLOUDFLARE_API_TOKEN => $S{cloudflare_token},
		CLOUDFLARE_ZONE_ID => $S{cloudflare_zone},
		RESEND_API_URL => "$sim/resend", RESEND_API_KEY => $S{resend_key},
		WHMCS_API_URL => "$sim/whmcs/includes/api.php",
		WHMCS_API_IDENTIFIER => $S{whmcs_identifier},
		WHMCS_API_SECRET => $S{whmcs_secret},
	);
	open my $c, '>', $env{OCH_CONFIG} or die "$env{OCH_CONFIG}: $!";
	close $c;
	chmod 0600, $env{OCH_CONFIG};
	return bless { t => $t, env => \%env, stderr => '' }, $class;
}

# Everything prov-drive wrote to stderr so far (its log lines).
sub stderr { $_[0]{stderr} }

# Run prov-drive (extra environment in an optional leading hash ref);
# asserts one JSON answer and returns it ({} when there is none).
sub drive {
	my $self = shift;
	my %extra = ref $_[0] ? %{ shift() } : ();
	my @args = @_;
	my $t = $self->{t};
	my $text = $t->_capture([ $t->bin('t/unit/prov-drive'), @args ], \my $etext,
	    %{ $self->{env} }, %extra);
	my $rc = $? >> 8;
	$self->{stderr} .= $etext;
	if (open my $log, '>>', $t->dir . '/prov-drive.log') {
		print $log $etext;
		close $log;
	}
	my $j = eval { decode_json($text) };
	local $Test::Builder::Level = $Test::Builder::Level + 2;
	Test::More::ok($rc == 0 && $j, "prov-drive @args[0,1]: one JSON answer")
	    or Test::More::diag("rc $rc: $text$etext");
	return $j // {};
}

1;
