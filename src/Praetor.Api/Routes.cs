using Praetor.Agent.Endpoints;
using Praetor.Raft;

namespace Praetor.Api;

/// <summary>What every route shares: errors as Consul reports them, and 405 for a wrong method.</summary>
internal static class Routes
{
    /// <summary>Turns refusals into plain-text answers: 400/413 for bad input, 500 for the rest.</summary>
    public static async Task HandleErrorsAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (HttpApiException ex) when (!context.Response.HasStarted)
        {
            await ResponseWriter.TextAsync(context, ex.StatusCode, ex.Message);
        }
        catch (EndpointException ex) when (!context.Response.HasStarted)
        {
            var status = ex.Kind switch
            {
                EndpointErrorKind.BadRequest => StatusCodes.Status400BadRequest,
                EndpointErrorKind.NotFound => StatusCodes.Status404NotFound,
                _ => StatusCodes.Status500InternalServerError,
            };
            await ResponseWriter.TextAsync(context, status, ex.Message);
        }
        catch (Praetor.Gossip.GossipException ex) when (!context.Response.HasStarted)
        {
            // A failed join, an unknown node to force-leave: Consul answers these with a 500 and the error.
            await ResponseWriter.TextAsync(context, StatusCodes.Status500InternalServerError, ex.Message);
        }
        catch (NotLeaderException ex) when (!context.Response.HasStarted)
        {
            await ResponseWriter.TextAsync(context, StatusCodes.Status500InternalServerError, ex.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
    }

    public static Task MethodNotAllowedAsync(HttpContext context, string allowed)
    {
        context.Response.Headers.Allow = allowed;
        if (context.Request.Method == "OPTIONS")
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return Task.CompletedTask;
        }
        return ResponseWriter.TextAsync(context, StatusCodes.Status405MethodNotAllowed, $"method {context.Request.Method} not allowed");
    }
}
