#!/usr/bin/python3
"""Raw-REST setup of the test stack (much faster than the openstack CLI).

  bootstrap-stack.py catalog   <state_dir>   projects, users, roles, services, endpoints (after Keystone is up)
  bootstrap-stack.py resources <state_dir>   flavors, image, quota (after Nova + Glance are up); writes <state_dir>/env
"""
import json
import sys
import time
import urllib.error
import urllib.request

KEYSTONE = "http://127.0.0.1:5000/v3"
REGION = "RegionOne"
ADMIN_PASSWORD = "headroom-admin-secret"
SERVICE_PASSWORD = "headroom-service-secret"
TEST_USER = "headroom"
TEST_PASSWORD = "headroom-test-secret"
ENDPOINTS = {
    "compute": ("nova", "http://127.0.0.1:8774/v2.1"),
    "placement": ("placement", "http://127.0.0.1:8778"),
    "image": ("glance", "http://127.0.0.1:9292"),
    "network": ("neutron", "http://127.0.0.1:9696"),
}


def call(method, url, token=None, body=None, headers=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/octet-stream" if raw is not None else "application/json")
    if token:
        request.add_header("X-Auth-Token", token)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
            return response.status, response.headers, (json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{method} {url} -> {error.code}: {error.read()[:500]!r}")


def admin_token():
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"id": "default"}, "password": ADMIN_PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
    _, headers, _ = call("POST", f"{KEYSTONE}/auth/tokens", body=body)
    return headers["X-Subject-Token"]


def find_or_create(token, collection, key, name, body, query=None):
    status, _, found = call("GET", f"{KEYSTONE}/{collection}?name={name}{query or ''}", token)
    if found[collection]:
        return found[collection][0]["id"]
    _, _, created = call("POST", f"{KEYSTONE}/{collection}", token, {key: body})
    return created[key]["id"]


def role_id(token, name):
    _, _, roles = call("GET", f"{KEYSTONE}/roles?name={name}", token)
    return roles["roles"][0]["id"]


def catalog(state_dir):
    token = admin_token()
    admin_role, member_role = role_id(token, "admin"), role_id(token, "member")
    projects = {}
    for project in ("service", "headroom", "headroom-quota"):
        projects[project] = find_or_create(token, "projects", "project", project,
                                           {"name": project, "domain_id": "default"})
    for service_user in ("nova", "placement", "glance"):
        user = find_or_create(token, "users", "user", service_user,
                              {"name": service_user, "domain_id": "default", "password": SERVICE_PASSWORD})
        call("PUT", f"{KEYSTONE}/projects/{projects['service']}/users/{user}/roles/{admin_role}", token)
    user = find_or_create(token, "users", "user", TEST_USER,
                          {"name": TEST_USER, "domain_id": "default", "password": TEST_PASSWORD})
    for project in ("headroom", "headroom-quota"):
        call("PUT", f"{KEYSTONE}/projects/{projects[project]}/users/{user}/roles/{member_role}", token)
    for service_type, (name, url) in ENDPOINTS.items():
        service = find_or_create(token, "services", "service", name, {"name": name, "type": service_type})
        _, _, existing = call("GET", f"{KEYSTONE}/endpoints?service_id={service}", token)
        have = {endpoint["interface"] for endpoint in existing["endpoints"]}
        for interface in ("public", "internal", "admin"):
            if interface not in have:
                call("POST", f"{KEYSTONE}/endpoints", token, {"endpoint": {
                    "service_id": service, "interface": interface, "url": url, "region_id": REGION}})
    with open(f"{state_dir}/projects.json", "w") as file:
        json.dump(projects, file)


def resources(state_dir):
    token = admin_token()
    nova = {"OpenStack-API-Version": "compute 2.79"}
    with open(f"{state_dir}/projects.json") as file:
        projects = json.load(file)
    flavors = {"headroom.tiny": (512, 1, 1), "headroom.huge": (4_000_000, 1, 1)}
    _, _, existing = call("GET", f"{ENDPOINTS['compute'][1]}/flavors", token, headers=nova)
    names = {flavor["name"] for flavor in existing["flavors"]}
    for name, (ram, disk, vcpus) in flavors.items():
        if name not in names:
            call("POST", f"{ENDPOINTS['compute'][1]}/flavors", token,
                 {"flavor": {"name": name, "ram": ram, "disk": disk, "vcpus": vcpus}}, headers=nova)
    glance = ENDPOINTS["image"][1]
    _, _, images = call("GET", f"{glance}/v2/images?name=headroom-tiny", token)
    if images["images"]:
        image_id = images["images"][0]["id"]
    else:
        _, _, image = call("POST", f"{glance}/v2/images", token, {
            "name": "headroom-tiny", "disk_format": "raw", "container_format": "bare", "visibility": "public"})
        image_id = image["id"]
        call("PUT", f"{glance}/v2/images/{image_id}/file", token, raw=b"\0" * 1048576)
    for _ in range(120):
        _, _, image = call("GET", f"{glance}/v2/images/{image_id}", token)
        if image["status"] == "active":
            break
        time.sleep(0.5)
    else:
        raise SystemExit(f"image {image_id} never became active")
    # The test project is limited by the fake host's capacity only (the scheduler refuses, not quota);
    # the quota project can start nothing.
    call("PUT", f"{ENDPOINTS['compute'][1]}/os-quota-sets/{projects['headroom']}", token,
         {"quota_set": {"instances": -1, "cores": -1, "ram": -1}}, headers=nova)
    call("PUT", f"{ENDPOINTS['compute'][1]}/os-quota-sets/{projects['headroom-quota']}", token,
         {"quota_set": {"instances": 0}}, headers=nova)
    lines = {
        "HEADROOM_TEST_OPENSTACK_URL": KEYSTONE,
        "HEADROOM_TEST_OPENSTACK_REGION": REGION,
        "HEADROOM_TEST_OPENSTACK_USERNAME": TEST_USER,
        "HEADROOM_TEST_OPENSTACK_PASSWORD": TEST_PASSWORD,
        "HEADROOM_TEST_OPENSTACK_PROJECT": "headroom",
        "HEADROOM_TEST_OPENSTACK_QUOTA_PROJECT": "headroom-quota",
        "HEADROOM_TEST_OPENSTACK_DOMAIN": "Default",
        "HEADROOM_TEST_OPENSTACK_IMAGE_ID": image_id,
        "HEADROOM_TEST_OPENSTACK_FLAVOR": "headroom.tiny",
        "HEADROOM_TEST_OPENSTACK_HUGE_FLAVOR": "headroom.huge",
    }
    with open(f"{state_dir}/env", "w") as file:
        file.writelines(f"{key}={value}\n" for key, value in lines.items())


if __name__ == "__main__":
    {"catalog": catalog, "resources": resources}[sys.argv[1]](sys.argv[2])
