package OCH::Login;
# Signing in the way a person does, for the tests (docs/api.md): a magic
# link is requested, the poller sends it (och-poller maintain), the email
# is read from och-cloudsim's mailbox (/_sim/emails) and its link is
# followed; a WHMCS SSO link comes from the signed SSO call.  Links carry
# the token in the URL fragment of the dashboard's /signin page, which
# completes with a POST; these helpers make that same POST.  Nothing here
# reads a token from the database.
#
# The cookie names come from lib/auth.h (their one home).
use strict;
use warnings;
use Carp qw(croak);
use Exporter 'import';
use HTTP::Tiny;
use JSON::PP;
use OCH::Stack;

our @EXPORT_OK = qw(cookie_name session_of link_token sso_link sso_login
    mailbox magic_link magic_login cookies_of);

my %NAMES;
# The name of the session ('session') or CSRF ('csrf') cookie.
sub cookie_name {
	my ($which) = @_;
	unless (%NAMES) {
		my $h = OCH::Stack::srcdir() . '/lib/auth.h';
		open my $fh, '<', $h or croak "$h: $!";
		while (<$fh>) {
			$NAMES{lc $1} = $2 if /^#define\s+AUTH_COOKIE_(\w+)\s+"([^"]+)"/;
		}
		close $fh;
		croak "no cookie names in $h" unless $NAMES{session} && $NAMES{csrf};
	}
	return $NAMES{$which} // croak "no cookie $which";
}

# The Set-Cookie headers of a response as name => {value, attrs}.
sub cookies_of {
	my ($r) = @_;
	my $h = $r->{headers}{'set-cookie'} // [];
	$h = [ $h ] unless ref $h;
	return map { /^([^=]+)=([^;]*)(.*)$/ ? ($1 => { value => $2, attrs => $3 }) : () } @$h;
}

# Request headers for the session a login response opened: Cookie (both
# cookies) and X-CSRF-Token.  Empty values when it opened none.
sub session_of {
	my ($r) = @_;
	my %c = cookies_of($r);
	my ($s, $x) = (cookie_name('session'), cookie_name('csrf'));
	my $jwt = $c{$s}{value} // '';
	my $csrf = $c{$x}{value} // $r->{json}{csrf_token} // '';
	return { Cookie => "$s=$jwt; $x=$csrf", 'X-CSRF-Token' => $csrf };
}

# (kind, token) of a sign-in link .../signin#kind=token, or ().
sub link_token {
	my ($url) = @_;
	return ($url // '') =~ m{/signin#(sso|magic)=([0-9a-f]+)$} ? ($1, $2) : ();
}

# The SSO link the WHMCS module gets for an instance (signed call).
sub sso_link {
	my ($t, $id) = @_;
	my $r = $t->signed(POST => "/api/v1/instances/$id/sso");
	return $r->{status} == 201 ? $r->{json}{url} : undef;
}

# Follow an SSO link as the sign-in page does; returns the POST's response.
sub sso_login {
	my ($t, $id) = @_;
	my (undef, $tok) = link_token(sso_link($t, $id));
	return $t->http(POST => '/api/v1/auth/sso', body => { token => $tok // '' });
}

# The simulator's mailbox: every email sent so far, oldest first.
sub mailbox {
	my ($t) = @_;
	my $r = HTTP::Tiny->new(timeout => 10)->get($t->sim_url . '/_sim/emails');
	croak "/_sim/emails: $r->{status}" unless $r->{success};
	return @{ decode_json($r->{content})->{emails} };
}

# Request a magic link for email, let the poller send it, and return the
# newest link in the newest email to that address (undef when none came).
# The test must have started och-cloudsim before the API.
sub magic_link {
	my ($t, $email, %o) = @_;
	my $before = () = mailbox($t);
	my $r = $t->http(POST => '/api/v1/auth/magic-link', body => { email => $email });
	croak "magic-link request: $r->{status}" unless $r->{status} == 202;
	$t->_capture([ $t->bin('poller/och-poller'), 'maintain' ], \my $err, $t->env);
	$t->_append_log('maintain', $err) if length $err;
	my @new = mailbox($t);
	splice @new, 0, $before;
	my ($mail) = grep { lc $_->{to}[0] eq lc $email } reverse @new;
	return undef unless $mail;
	my ($link) = ($mail->{text} // '') =~ m{(https?://\S+/signin#magic=[0-9a-f]+)};
	return wantarray ? ($link, $mail) : $link;
}

# Sign in by magic link; returns the verify POST's response (undef when
# no email came).
sub magic_login {
	my ($t, $email) = @_;
	my (undef, $tok) = link_token(scalar magic_link($t, $email));
	return undef unless $tok;
	return $t->http(POST => '/api/v1/auth/verify', body => { token => $tok });
}

1;
