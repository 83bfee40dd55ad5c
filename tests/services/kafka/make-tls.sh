#!/usr/bin/env bash
# tests/services/kafka/make-tls.sh - the secured test broker's CA, certificates, stores and SCRAM
# password, made with openssl and the JDK's keytool (the reference for JKS and PKCS12).
#
#   make-tls.sh DIR KEYTOOL
#
# Builds everything in DIR.tmp and renames it to DIR at the end, so DIR is either complete or
# absent. DIR must not exist. Files (every password random, letters and digits):
#   ca.pem, ca.key          the test CA (CN=ferry-test-ca), ten years from now
#   broker.p12              the broker's key and certificate (CN=localhost, SAN IP:127.0.0.1 and
#                           DNS:localhost) with the CA, password in broker.password
#   truststore.jks, truststore.p12   the CA as a trusted entry, password in truststore.password
#   client.jks, client.p12  the client's key and certificate (CN=ferry-client) with the CA,
#                           alias ferry-client, password in keystore.password (key password the same)
#   client.pem, client.key  the same certificate, and its key as encrypted PKCS#8 (same password)
#   other-ca.pem            a CA that did not sign the broker's certificate
#   expired-ca.pem          the test CA's key and name, valid only in 2020
#   users                   SCRAM users, one "name:password" line each (the user ferry)
set -euo pipefail

(($# == 2)) || { echo "usage: $0 DIR KEYTOOL" >&2; exit 2; }
dir=$1
keytool=$2
[[ ! -e $dir ]] || { echo "make-tls: $dir already exists" >&2; exit 1; }
tmp=$dir.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
cd "$tmp"

# Runs a command quietly; on failure shows its output and stops.
run() {
    local out
    out=$("$@" 2>&1) || {
        printf 'make-tls: %s failed:\n%s\n' "$1 $2" "$out" >&2
        exit 1
    }
}

random_password() {
    local pw=
    while ((${#pw} < 24)); do
        pw+=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    done
    printf '%s' "${pw:0:24}"
}

broker_pw=$(random_password)
trust_pw=$(random_password)
store_pw=$(random_password)
scram_pw=$(random_password)

cat >openssl.cnf <<'EOF'
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = ferry-test
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ server ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ client ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
# `openssl ca`, only for the expired CA (x509 -req cannot set a start date in OpenSSL 3.0)
[ ca ]
default_ca = expired
[ expired ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
email_in_dn = no
[ any ]
commonName = supplied
EOF

# The CAs.
run openssl req -config openssl.cnf -x509 -new -newkey rsa:2048 -noenc -keyout ca.key -out ca.pem \
    -days 3650 -subj /CN=ferry-test-ca -extensions v3_ca
run openssl req -config openssl.cnf -x509 -new -newkey rsa:2048 -noenc -keyout other-ca.key \
    -out other-ca.pem -days 3650 -subj /CN=ferry-test-other-ca -extensions v3_ca
run openssl req -config openssl.cnf -new -key ca.key -subj /CN=ferry-test-ca -out expired-ca.csr
: >index.txt
echo 01 >serial
run openssl ca -batch -config openssl.cnf -selfsign -keyfile ca.key -in expired-ca.csr \
    -startdate 20200101000000Z -enddate 20201231000000Z -extensions v3_ca -notext \
    -out expired-ca.pem

# The broker's and the client's certificates, signed by the CA.
issue() {
    local name=$1 cn=$2 extensions=$3
    run openssl req -config openssl.cnf -new -newkey rsa:2048 -noenc -keyout "$name.key" \
        -out "$name.csr" -subj "/CN=$cn"
    run openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAserial ca.srl -CAcreateserial \
        -days 3650 -sha256 -extfile openssl.cnf -extensions "$extensions" -out "$name.pem"
}
issue broker localhost server
issue client ferry-client client

run openssl pkcs12 -export -inkey broker.key -in broker.pem -certfile ca.pem -name broker \
    -passout "pass:$broker_pw" -out broker.p12
# The client's key and chain in PKCS#12 for keytool to import, and its key as encrypted PKCS#8.
run openssl pkcs12 -export -inkey client.key -in client.pem -certfile ca.pem -name ferry-client \
    -passout "pass:$store_pw" -out client-openssl.p12
run openssl pkcs8 -topk8 -v2 aes-256-cbc -in client.key -passout "pass:$store_pw" -out client.key.enc
mv client.key.enc client.key

# keytool's stores, in parallel (each one starts a JVM).
kt() { run "$keytool" -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC "$@"; }
pids=()
for type in JKS PKCS12; do
    ext=${type,,}
    ext=${ext/pkcs12/p12}
    kt -importcert -noprompt -alias ferry-test-ca -file ca.pem -keystore "truststore.$ext" \
        -storetype "$type" -storepass "$trust_pw" &
    pids+=($!)
    kt -importkeystore -noprompt -srckeystore client-openssl.p12 -srcstoretype PKCS12 \
        -srcstorepass "$store_pw" -srcalias ferry-client -destkeystore "client.$ext" \
        -deststoretype "$type" -deststorepass "$store_pw" -destkeypass "$store_pw" \
        -destalias ferry-client &
    pids+=($!)
done
for pid in "${pids[@]}"; do
    wait "$pid" || exit 1
done

printf '%s\n' "$broker_pw" >broker.password
printf '%s\n' "$trust_pw" >truststore.password
printf '%s\n' "$store_pw" >keystore.password
printf 'ferry:%s\n' "$scram_pw" >users

rm -f ./*.csr ./*.srl ./*.old index.txt* serial* 01.pem other-ca.key broker.key client-openssl.p12 \
    openssl.cnf
chmod 644 ./*
cd /
mv "$tmp" "$dir"
