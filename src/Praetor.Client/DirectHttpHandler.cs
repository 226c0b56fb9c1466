using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Praetor.Client;

/// <summary>
/// Plain HTTP/1.1, one connection per request (<c>Connection: close</c>), with every read and write
/// on the calling thread: <see cref="SendAsync"/> completes before it returns, and so do the
/// response body's reads. For a short-lived process that makes a few short requests (the CLI):
/// there the pooled handler's start-up and its hand-offs between threads cost more than the
/// request, most of all on a busy machine. Not for blocking queries or anything else that waits,
/// since the caller's thread waits with it (<see cref="ApiTransport"/> sends those through the pooled handler).
/// Cancellation closes the connection.
/// </summary>
internal sealed class DirectHttpHandler(AgentAddress address) : HttpMessageHandler
{
    private const int MaxHeaderBytes = 64 * 1024;

    /// <summary>Whether this handler can send <paramref name="request"/>: plain HTTP, and a body of known length.</summary>
    public static bool CanSend(AgentAddress address, HttpRequestMessage request) =>
        (address.UnixSocketPath is not null || address.BaseUri.Scheme == Uri.UriSchemeHttp)
        && (request.Content is null || request.Content.Headers.ContentLength is not null);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Send(request, cancellationToken));

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var socket = address.UnixSocketPath is not null
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        // Closing the socket ends a blocked connect, write or read at once.
        var closeOnCancel = cancellationToken.Register(static s => ((Socket)s!).Dispose(), socket);
        try
        {
            Connect(socket);
            var stream = new NetworkStream(socket, ownsSocket: true);
            WriteRequest(stream, request, cancellationToken);
            var reader = new BufferedStream(stream, 8192);
            var (response, contentHeaders) = ReadHead(reader, request);
            response.Content = ReadBody(reader, request, response, contentHeaders, closeOnCancel);
            return response;
        }
        catch (Exception e)
        {
            closeOnCancel.Dispose();
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            if (e is IOException or ObjectDisposedException or SocketException)
            {
                throw new HttpRequestException($"Error while talking to {request.RequestUri}: {e.Message}", e);
            }
            throw;
        }
    }

    private void Connect(Socket socket)
    {
        try
        {
            if (address.UnixSocketPath is { } path)
            {
                socket.Connect(new UnixDomainSocketEndPoint(path));
            }
            else
            {
                // A dual-mode socket: IPv4 and IPv6 literals, and names resolved as Connect does.
                var host = address.BaseUri.IdnHost;
                if (IPAddress.TryParse(host, out var ip))
                {
                    socket.Connect(ip, address.BaseUri.Port);
                }
                else
                {
                    socket.Connect(host, address.BaseUri.Port);
                }
            }
        }
        catch (SocketException e)
        {
            // As SocketsHttpHandler reports it, so ApiTransport describes it the same way.
            throw new HttpRequestException(e.Message, e);
        }
    }

    private static void WriteRequest(Stream stream, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var head = new StringBuilder();
        head.Append(request.Method.Method).Append(' ').Append(uri.PathAndQuery).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(uri.Authority).Append("\r\n");
        head.Append("Connection: close\r\n");
        AppendHeaders(head, request.Headers.NonValidated, "Host", "Connection");
        if (request.Content is { } content)
        {
            AppendHeaders(head, content.Headers.NonValidated, "Content-Length");
        }
        var contentLength = request.Content?.Headers.ContentLength ?? 0;
        if (contentLength > 0 || request.Method == HttpMethod.Put || request.Method == HttpMethod.Post)
        {
            head.Append("Content-Length: ").Append(contentLength.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }
        head.Append("\r\n");
        stream.Write(Encoding.ASCII.GetBytes(head.ToString()));
        request.Content?.CopyTo(stream, null, cancellationToken);
        stream.Flush();
    }

    /// <summary>Every header but <paramref name="written"/>, which this handler writes itself.</summary>
    private static void AppendHeaders(StringBuilder head, HttpHeadersNonValidated headers, params ReadOnlySpan<string> written)
    {
        foreach (var (name, values) in headers)
        {
            var skip = false;
            foreach (var own in written)
            {
                skip |= name.Equals(own, StringComparison.OrdinalIgnoreCase);
            }
            if (skip)
            {
                continue;
            }
            foreach (var value in values)
            {
                head.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }
    }

    /// <summary>The status line and headers; the content headers are returned apart, for the body's content.</summary>
    private static (HttpResponseMessage Response, List<(string Name, string Value)> ContentHeaders) ReadHead(Stream reader, HttpRequestMessage request)
    {
        var budget = MaxHeaderBytes;
        var statusLine = ReadLine(reader, ref budget);
        // "HTTP/1.1 200 OK"
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status is < 100 or > 999)
        {
            throw new HttpRequestException($"Malformed HTTP response from {request.RequestUri}: \"{statusLine}\"");
        }
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            RequestMessage = request,
            ReasonPhrase = parts.Length > 2 ? parts[2] : null,
        };
        var contentHeaders = new List<(string Name, string Value)>();
        while (ReadLine(reader, ref budget) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new HttpRequestException($"Malformed HTTP header from {request.RequestUri}: \"{line}\"");
            }
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                contentHeaders.Add((name, value));
            }
        }
        return (response, contentHeaders);
    }

    private static HttpContent ReadBody(Stream reader, HttpRequestMessage request, HttpResponseMessage response, List<(string Name, string Value)> contentHeaders, CancellationTokenRegistration closeOnCancel)
    {
        long? length = null;
        foreach (var (name, value) in contentHeaders)
        {
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                throw new HttpRequestException($"Malformed Content-Length from {request.RequestUri}: \"{value}\"");
            }
            length = parsed;
        }
        var chunked = response.Headers.TransferEncodingChunked == true;
        var noBody = request.Method == HttpMethod.Head || response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotModified || (int)response.StatusCode < 200;
        var content = new StreamContent(new ResponseBodyStream(reader, noBody ? 0 : chunked ? null : length ?? -1, closeOnCancel));
        foreach (var (name, value) in contentHeaders)
        {
            content.Headers.TryAddWithoutValidation(name, value);
        }
        return content;
    }

    /// <summary>A CRLF-terminated line (a bare LF is accepted), without its terminator; ASCII.</summary>
    private static string ReadLine(Stream reader, ref int budget)
    {
        var line = new StringBuilder();
        while (true)
        {
            var b = reader.ReadByte();
            if (b < 0)
            {
                throw new IOException("The connection closed in the middle of the response head.");
            }
            if (--budget < 0)
            {
                throw new HttpRequestException("A line of the response is longer than its limit (the head is limited to 64 KiB).");
            }
            if (b == '\n')
            {
                if (line.Length > 0 && line[^1] == '\r')
                {
                    line.Length--;
                }
                return line.ToString();
            }
            line.Append((char)b);
        }
    }

    /// <summary>
    /// A response body read straight from the connection: <c>Content-Length</c> bytes, chunked
    /// (length null), or up to the close (length -1). Closes the connection when disposed.
    /// </summary>
    private sealed class ResponseBodyStream(Stream inner, long? length, CancellationTokenRegistration closeOnCancel) : Stream
    {
        private long _remaining = length ?? 0;
        private bool _chunkedDone;
        private bool _disposed;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (buffer.Length == 0)
            {
                return 0;
            }
            if (length is null)
            {
                return ReadChunked(buffer);
            }
            if (length == -1)
            {
                return inner.Read(buffer);
            }
            if (_remaining == 0)
            {
                return 0;
            }
            var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
            if (read == 0)
            {
                throw new IOException($"The connection closed with {_remaining} bytes of the response body still to come.");
            }
            _remaining -= read;
            return read;
        }

        private int ReadChunked(Span<byte> buffer)
        {
            if (_chunkedDone)
            {
                return 0;
            }
            if (_remaining == 0)
            {
                var budget = MaxHeaderBytes;
                var sizeLine = ReadLine(inner, ref budget);
                var semicolon = sizeLine.IndexOf(';', StringComparison.Ordinal);
                var size = semicolon >= 0 ? sizeLine[..semicolon] : sizeLine;
                if (!long.TryParse(size.Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _remaining) || _remaining < 0)
                {
                    throw new IOException($"Malformed chunk size in the response body: \"{sizeLine}\"");
                }
                if (_remaining == 0)
                {
                    // The trailer, up to its blank line.
                    while (ReadLine(inner, ref budget).Length > 0)
                    {
                    }
                    _chunkedDone = true;
                    return 0;
                }
            }
            var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
            if (read == 0)
            {
                throw new IOException("The connection closed in the middle of a chunk of the response body.");
            }
            _remaining -= read;
            if (_remaining == 0)
            {
                var budget = 2;
                if (ReadLine(inner, ref budget).Length != 0)
                {
                    throw new IOException("A chunk of the response body is longer than its size says.");
                }
            }
            return read;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(buffer.Span));
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                closeOnCancel.Dispose();
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
