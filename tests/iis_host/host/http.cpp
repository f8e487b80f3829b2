/*
 * http.cpp -- real HTTP for the IIS host, through the HTTP Server API as IIS uses it: a
 * server session, a URL group bound to a request queue for http://127.0.0.1:PORT/ (version 2
 * of the API; version 1's HttpCreateHttpHandle/HttpAddUrl when that is all there is), then
 * HttpReceiveHttpRequest for each request and HttpSendHttpResponse for its response.
 *
 * The receiving thread hands each request to the pipeline thread through the host's queue,
 * so a request that is pending does not stop the next one from being served. The loop ends
 * after `max_requests` requests or a request for /__shutdown (answered by the host itself);
 * then the requests in flight finish and the pipeline thread stops.
 */
#include "host.h"

namespace {

class HttpTransport : public Transport
{
public:
    HANDLE queue = 0;
    volatile LONG sent = 0, failed = 0;

    void send(Context *c) override
    {
        ULONG bytes = 0;
        ULONG rc = HttpSendHttpResponse(queue, c->request.raw->RequestId, 0,
                                        (HTTP_RESPONSE *)&c->response.raw, 0, &bytes, 0, 0, 0, 0);
        if (rc != NO_ERROR) {
            InterlockedIncrement(&failed);
            rt::Text line;
            line.add("host: HttpSendHttpResponse failed with ").add_number(rc);
            rt::out_line(line);
        } else {
            InterlockedIncrement(&sent);
        }
    }

    void finished(Context *c) override { delete[] (char *)c->transport; }
};

DWORD WINAPI pipeline_thread(void *parameter)
{
    Host *host = (Host *)parameter;
    while (host->handle_one(INFINITE)) {
    }
    return 0;
}

/* Opens the request queue for `url`: API version 2 as IIS does, else version 1. */
bool open_queue(const wchar_t *url, HANDLE *queue, const char **api)
{
    HTTPAPI_VERSION v2 = HTTPAPI_VERSION_2;
    HTTP_SERVER_SESSION_ID session = 0;
    HTTP_URL_GROUP_ID group = 0;
    if (HttpInitialize(v2, HTTP_INITIALIZE_SERVER, 0) == NO_ERROR &&
        HttpCreateServerSession(v2, &session, 0) == NO_ERROR &&
        HttpCreateUrlGroup(session, &group, 0) == NO_ERROR &&
        HttpCreateRequestQueue(v2, 0, 0, 0, queue) == NO_ERROR) {
        HTTP_BINDING_INFO binding;
        memset(&binding, 0, sizeof binding);
        binding.Flags.Present = 1;
        binding.RequestQueueHandle = *queue;
        if (HttpSetUrlGroupProperty(group, HttpServerBindingProperty, &binding, sizeof binding) ==
                NO_ERROR &&
            HttpAddUrlToUrlGroup(group, url, 0, 0) == NO_ERROR) {
            *api = "HTTP Server API 2.0";
            return true;
        }
    }
    HTTPAPI_VERSION v1 = HTTPAPI_VERSION_1;
    if (HttpInitialize(v1, HTTP_INITIALIZE_SERVER, 0) == NO_ERROR &&
        HttpCreateHttpHandle(queue, 0) == NO_ERROR && HttpAddUrl(*queue, url, 0) == NO_ERROR) {
        *api = "HTTP Server API 1.0";
        return true;
    }
    return false;
}

/* The next request, in a buffer of its own (grown when the request does not fit). */
HTTP_REQUEST_V2 *receive(HANDLE queue, char **buffer_out)
{
    ULONG size = 16 * 1024;
    HTTP_REQUEST_ID id = HTTP_NULL_ID;
    for (;;) {
        char *buffer = new char[size];
        memset(buffer, 0, size);
        HTTP_REQUEST_V2 *request = (HTTP_REQUEST_V2 *)buffer;
        ULONG bytes = 0;
        ULONG rc = HttpReceiveHttpRequest(queue, id, HTTP_RECEIVE_REQUEST_FLAG_COPY_BODY,
                                          (HTTP_REQUEST *)request, size, &bytes, 0);
        if (rc == NO_ERROR) {
            *buffer_out = buffer;
            return request;
        }
        delete[] buffer;
        if (rc != ERROR_MORE_DATA) {
            rt::Text line;
            line.add("host: HttpReceiveHttpRequest failed with ").add_number(rc);
            rt::out_line(line);
            return 0;
        }
        id = request->RequestId;
        size = bytes > size ? bytes : size * 2;
    }
}

bool is_shutdown(const HTTP_REQUEST_V2 *request)
{
    const char *url = request->pRawUrl;
    return url && request->RawUrlLength == 11 && rt::equal_n(url, "/__shutdown", 11);
}

void answer_shutdown(HANDLE queue, HTTP_REQUEST_V2 *request)
{
    HTTP_RESPONSE_V2 response;
    memset(&response, 0, sizeof response);
    response.Version.MajorVersion = 1;
    response.Version.MinorVersion = 1;
    response.StatusCode = 200;
    response.pReason = "OK";
    response.ReasonLength = 2;
    static char body[] = "shutting down\n";
    HTTP_DATA_CHUNK chunk;
    chunk.DataChunkType = HttpDataChunkFromMemory;
    chunk.FromMemory.pBuffer = body;
    chunk.FromMemory.BufferLength = sizeof body - 1;
    response.EntityChunkCount = 1;
    response.pEntityChunks = &chunk;
    response.Headers.KnownHeaders[HttpHeaderContentLength].pRawValue = "14";
    response.Headers.KnownHeaders[HttpHeaderContentLength].RawValueLength = 2;
    ULONG bytes = 0;
    HttpSendHttpResponse(queue, request->RequestId, 0, (HTTP_RESPONSE *)&response, 0, &bytes, 0,
                         0, 0, 0);
}

} // namespace

int serve(Host &host, unsigned port, unsigned long long max_requests)
{
    rt::Text url;
    url.add("http://127.0.0.1:").add_number(port).add("/");
    wchar_t *wide_url = rt::to_wide(url.data(), url.size());
    HttpTransport transport;
    const char *api = 0;
    if (!open_queue(wide_url, &transport.queue, &api)) {
        rt::out("host: cannot listen through the HTTP Server API\n");
        delete[] wide_url;
        return 2;
    }
    delete[] wide_url;
    host.transport = &transport;
    HANDLE worker = CreateThread(0, 0, pipeline_thread, &host, 0, 0);
    rt::Text line;
    line.add("host: listening on ").add(url.c_str()).add(" (").add(api).add(")");
    rt::out_line(line);

    unsigned long long received = 0;
    while (received < max_requests) {
        char *buffer = 0;
        HTTP_REQUEST_V2 *raw = receive(transport.queue, &buffer);
        if (!raw) break;
        if (is_shutdown(raw)) {
            answer_shutdown(transport.queue, raw);
            delete[] buffer;
            break;
        }
        ++received;
        Context *c = new Context(&host, raw, received);
        c->transport = buffer;
        if (raw->EntityChunkCount && raw->pEntityChunks[0].DataChunkType == HttpDataChunkFromMemory) {
            c->request.entity = (const BYTE *)raw->pEntityChunks[0].FromMemory.pBuffer;
            c->request.entity_left = raw->pEntityChunks[0].FromMemory.BufferLength;
        }
        InterlockedIncrement(&host.in_flight);
        host.post(kStart, c, 0);
    }
    /* Let the requests in flight finish (pending ones included), then stop the pipeline. */
    while (host.in_flight > 0) Sleep(5);
    host.post(kQuit, 0, 0);
    WaitForSingleObject(worker, INFINITE);
    CloseHandle(worker);
    line.clear();
    line.add("host: served ").add_number(received).add(" requests, ").add_number(transport.sent)
        .add(" responses sent, ").add_number(transport.failed).add(" failed");
    rt::out_line(line);
    CloseHandle(transport.queue);
    return transport.failed ? 1 : 0;
}
