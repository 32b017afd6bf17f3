# The WHMCS module's PHPUnit unit suite (no control plane needed): the
# WHMCS contract with empty and malformed $params, the shared HMAC vectors,
# API failures (down, silent, HTML, garbage, errors) against scripted
# servers, each module function's API calls, the hooks, and file hygiene
# (php -l, no output, no leaked globals, escaped templates).  Each PHPUnit
# case is one TAP assertion.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use Test::More;

my $src;
BEGIN { $src = $ENV{OCH_SRCDIR} // abs_path(dirname(abs_path($0)) . '/..') }
use lib "$src/whmcs-module/tests";
use PhpunitTap;

my $phpunit = `command -v phpunit 2>/dev/null`;
ok($phpunit, 'phpunit is installed (Debian package phpunit)') or BAIL_OUT('no phpunit');
PhpunitTap::run(suite => 'unit', srcdir => $src);
done_testing;
