{* OpenClaw Host: shown when the service's details cannot be loaded. *}
<div class="alert alert-warning">
    {$ochError|escape:'html'}
</div>
