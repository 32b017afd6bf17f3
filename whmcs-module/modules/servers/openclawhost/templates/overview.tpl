{* OpenClaw Host: client area overview of one service. Every printed value is escaped. *}
<div class="openclawhost-overview">
    <h3>OpenClaw instance</h3>
    {if !$och.exists}
        <div class="alert alert-info">
            Your OpenClaw instance is being set up. This page will show its details in a minute or two.
        </div>
    {else}
        <table class="table table-striped">
            <tr>
                <td>Status</td>
                <td><span class="label label-{$och.stateClass|escape:'html'} badge badge-{$och.stateClass|escape:'html'}">{$och.stateLabel|escape:'html'}</span></td>
            </tr>
            {if $och.hostname}
            <tr>
                <td>Address</td>
                <td><a href="{$och.url|escape:'html'}" target="_blank" rel="noopener noreferrer">{$och.hostname|escape:'html'}</a></td>
            </tr>
            {/if}
            {if $och.ipv4}
            <tr><td>IPv4</td><td>{$och.ipv4|escape:'html'}</td></tr>
            {/if}
            {if $och.ipv6}
            <tr><td>IPv6</td><td>{$och.ipv6|escape:'html'}</td></tr>
            {/if}
            <tr><td>Plan</td><td>{$och.plan|escape:'html'}</td></tr>
            <tr><td>Region</td><td>{$och.region|escape:'html'}</td></tr>
            {if $och.version}
            <tr><td>OpenClaw version</td><td>{$och.version|escape:'html'}</td></tr>
            {/if}
        </table>
        {if $och.failed}
            <div class="alert alert-warning">
                Setting up or changing this instance ran into a problem. Our team has been alerted and is on it.
            </div>
        {/if}
        {if $och.canOpen}
            <p>
                <a class="btn btn-primary" href="{$ochSsoUrl|escape:'html'}" target="_blank" rel="noopener noreferrer">Open dashboard</a>
            </p>
        {else}
            <p><button class="btn btn-default" disabled="disabled">Open dashboard</button>
               <small>available when the instance is active</small></p>
        {/if}
        {if $ochEvents}
            <h4>Recent activity</h4>
            <ul class="list-unstyled">
            {foreach from=$ochEvents item=ev}
                <li><small class="text-muted">{$ev.at|escape:'html'}</small> {$ev.text|escape:'html'}</li>
            {/foreach}
            </ul>
        {/if}
    {/if}
</div>
