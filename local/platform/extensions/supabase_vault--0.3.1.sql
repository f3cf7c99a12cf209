-- supabase_vault 0.3.1's SQL API (contracts §4). Ciphertext is pgcrypto's symmetric encryption of
-- (row id || secret) under a root key, base64 in `secret`; decryption checks the row id, so a
-- ciphertext copied onto another row does not decrypt (the associated-data binding of the original).

create table vault._root_key (key bytea not null);
insert into vault._root_key select extensions.gen_random_bytes(32);
revoke all on vault._root_key from public;

create function vault._crypto_aead_det_noncegen() returns bytea
  language sql volatile
as $$ select extensions.gen_random_bytes(16) $$;
comment on function vault._crypto_aead_det_noncegen() is 'A fresh nonce for a secret.';

create table vault.secrets (
  id          uuid        primary key default gen_random_uuid(),
  name        text,
  description text        not null default '',
  secret      text        not null,
  key_id      uuid,
  nonce       bytea       default vault._crypto_aead_det_noncegen(),
  created_at  timestamptz not null default current_timestamp,
  updated_at  timestamptz not null default current_timestamp
);
create unique index secrets_name_idx on vault.secrets (name) where name is not null;
comment on table vault.secrets is 'Table with encrypted `secret` column for storing sensitive information on disk.';

create function vault._crypto_aead_det_encrypt(message bytea, additional bytea, key_id bigint,
                                               context bytea default 'pgsodium', nonce bytea default null)
  returns bytea
  language sql volatile security definer set search_path = ''
as $$
  select extensions.pgp_sym_encrypt_bytea(
    additional || '\x00'::bytea || message,
    encode((select key from vault._root_key limit 1), 'hex'),
    'cipher-algo=aes256')
$$;
comment on function vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea) is 'Encrypts a secret bound to its associated data.';

create function vault._crypto_aead_det_decrypt(message bytea, additional bytea, key_id bigint,
                                               context bytea default 'pgsodium', nonce bytea default null)
  returns bytea
  language plpgsql stable security definer set search_path = ''
as $$
declare
  plain bytea;
  prefix bytea := additional || '\x00'::bytea;
begin
  plain := extensions.pgp_sym_decrypt_bytea(message, encode((select key from vault._root_key limit 1), 'hex'));
  if substring(plain from 1 for length(prefix)) <> prefix then
    raise exception 'vault: ciphertext does not belong to this secret';
  end if;
  return substring(plain from length(prefix) + 1);
end
$$;
comment on function vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea) is 'Decrypts a secret, checking its associated data.';

create view vault.decrypted_secrets as
  select s.id, s.name, s.description, s.secret,
         convert_from(vault._crypto_aead_det_decrypt(decode(s.secret, 'base64'), convert_to(s.id::text, 'utf8'),
                                                     0, 'pgsodium', s.nonce), 'utf8') as decrypted_secret,
         s.key_id, s.nonce, s.created_at, s.updated_at
    from vault.secrets s;

create function vault.create_secret(new_secret text, new_name text default null,
                                    new_description text default '', new_key_id uuid default null)
  returns uuid
  language plpgsql security definer set search_path = ''
as $$
declare
  rec record;
begin
  insert into vault.secrets (secret, name, description)
  values (new_secret, new_name, new_description)
  returning * into rec;
  update vault.secrets s
     set secret = translate(encode(vault._crypto_aead_det_encrypt(convert_to(rec.secret, 'utf8'),
                                  convert_to(rec.id::text, 'utf8'), 0, 'pgsodium', rec.nonce), 'base64'), E'\n', '')
   where s.id = rec.id;
  return rec.id;
end
$$;
comment on function vault.create_secret(text, text, text, uuid) is 'Stores a secret encrypted; returns its id.';

create function vault.update_secret(secret_id uuid, new_secret text default null, new_name text default null,
                                    new_description text default null, new_key_id uuid default null)
  returns void
  language plpgsql security definer set search_path = ''
as $$
begin
  update vault.secrets s
     set secret = case when new_secret is null then s.secret
                       else translate(encode(vault._crypto_aead_det_encrypt(convert_to(new_secret, 'utf8'),
                                   convert_to(s.id::text, 'utf8'), 0, 'pgsodium', s.nonce), 'base64'), E'\n', '') end,
         name = coalesce(new_name, s.name),
         description = coalesce(new_description, s.description),
         updated_at = now()
   where s.id = secret_id;
end
$$;
comment on function vault.update_secret(uuid, text, text, text, uuid) is 'Changes a secret; null arguments keep the old values.';

revoke all on all functions in schema vault from public;
revoke all on vault.secrets, vault.decrypted_secrets from public;
