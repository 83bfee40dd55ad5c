/*
 * rest_offsets.c - /connectors/{c}/offsets (KIP-875): GET, PATCH (alter) and DELETE (reset),
 * through the herder, which holds the rules (herder/herder_offsets.h).
 */
#include "rest/rest_resources.h"

void rest_offsets_get(rest_request *request, rest_response *response)
{
    herder_waiter *waiter = rest_waiter(response);
    if (!waiter)
        return;
    herder_offsets_get(request->herder, request->params[0], herder_waiter_done, waiter);
    rest_reply_herder(response, waiter, 200);
}

void rest_offsets_patch(rest_request *request, rest_response *response)
{
    json_t *body = rest_body_json(request, response, JSON_OBJECT);
    herder_waiter *waiter = body ? rest_waiter(response) : NULL;
    if (waiter) {
        herder_offsets_alter(request->herder, request->params[0], body, herder_waiter_done,
                             waiter);
        rest_reply_herder(response, waiter, 200);
    }
    json_decref(body);
}

void rest_offsets_delete(rest_request *request, rest_response *response)
{
    herder_waiter *waiter = rest_waiter(response);
    if (!waiter)
        return;
    herder_offsets_reset(request->herder, request->params[0], herder_waiter_done, waiter);
    rest_reply_herder(response, waiter, 200);
}
