"""A FastAPI payments API built the way the system idemlab grew from built its
own (awaregh/Designing-Idempotent-APIs-at-Scale): the reference that
bench/serve_vs_fastapi measures `idemlab serve` against. Written for this
benchmark after that design, not copied; Debian 12's FastAPI 0.92,
SQLAlchemy 1.4 (async ORM over asyncpg), pydantic 1.10, redis-py 4.3 and
uvicorn 0.17 (uvloop, httptools) stand in for the newer versions it pins.

One strategy a process, as there (REF_STRATEGY):
  idempotency_key  Redis lock SET NX EX 30 on lock:{key} (a second request
                   for a held key polls for the first one's answer); the
                   answer looked up in Redis (idem:{key}), then in the
                   idempotency_keys table; the payment INSERTed with the ORM,
                   flushed and refreshed; the answer stored with SETEX for
                   24 h and in idempotency_keys; the lock deleted.
  db_unique        INSERT ... ON CONFLICT (idempotency_key) DO NOTHING
                   RETURNING id, then the row SELECTed: 201 when inserted,
                   200 when it was there already.
Each request has its ORM session, committed once the handler returns, as
FastAPI's yield dependencies do there. The one change: the key comes in the
Idempotency-Key header that idemlab serve reads, so one Locust load drives
both. REF_LOGS=1 keeps the per-request JSON log lines (structlog) it writes;
the default is off, which only makes the reference faster.

Its tables live in a schema of its own (REF_SCHEMA), its Redis keys under
REF_PREFIX; both are removed when it stops.
"""
import asyncio
import datetime
import json
import os
import uuid
from decimal import Decimal
from typing import Any, Dict, Optional

import redis.asyncio as aioredis
import structlog
from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, condecimal, constr
from sqlalchemy import (JSON, Column, DateTime, Integer, Numeric, String, Text, func, select,
                        text)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import declarative_base, sessionmaker

STRATEGY = os.environ.get("REF_STRATEGY", "idempotency_key")
SCHEMA = os.environ.get("REF_SCHEMA", f"fastapi_ref_{os.getpid()}")
PREFIX = os.environ.get("REF_PREFIX", f"fastapi-ref-{os.getpid()}:")
LOGS = os.environ.get("REF_LOGS", "0") == "1"
PG_URL = os.environ["IDEMLAB_PG"].replace("postgresql://", "postgresql+asyncpg://", 1)
REDIS_URL = os.environ["IDEMLAB_REDIS"]
KEY_TTL_S = 86400
LOCK_TTL_S = 30
if STRATEGY not in ("idempotency_key", "db_unique"):
    raise SystemExit(f"REF_STRATEGY: idempotency_key or db_unique, not {STRATEGY!r}")

structlog.configure(processors=[structlog.processors.TimeStamper(fmt="iso"),
                                structlog.processors.JSONRenderer()])
logger = structlog.get_logger(STRATEGY)


def log(event, **fields):
    if LOGS:
        logger.info(event, **fields)


# The pool the reference configures: 10 connections and 20 more on demand.
engine = create_async_engine(PG_URL, pool_size=10, max_overflow=20, pool_pre_ping=True,
                             connect_args={"server_settings": {"search_path": SCHEMA}})
Session = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
Base = declarative_base()
redis = aioredis.from_url(REDIS_URL, decode_responses=True)


class Payment(Base):
    __tablename__ = "payments"
    id = Column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    idempotency_key = Column(String(255), unique=True, nullable=True, index=True)
    amount = Column(Numeric(12, 2), nullable=False)
    currency = Column(String(3), nullable=False, default="USD")
    status = Column(String(16), nullable=False, default="pending", index=True)
    customer_id = Column(String(255), nullable=False, index=True)
    description = Column(Text, nullable=True)
    request_hash = Column(String(64), nullable=True)
    metadata_ = Column("metadata", JSON, nullable=True)
    created_at = Column(DateTime(timezone=True), server_default=func.now(), index=True)
    updated_at = Column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    key = Column(String(255), primary_key=True)
    response_body = Column(JSON, nullable=False)
    response_status = Column(Integer, nullable=False)
    created_at = Column(DateTime(timezone=True), server_default=func.now())
    expires_at = Column(DateTime(timezone=True), nullable=False, index=True)


class PaymentRequest(BaseModel):
    amount: condecimal(gt=0, decimal_places=2)
    currency: constr(min_length=3, max_length=3) = "USD"
    customer_id: constr(min_length=1, max_length=255)
    description: Optional[constr(max_length=1000)] = None
    metadata: Optional[Dict[str, Any]] = None


class PaymentResponse(BaseModel):
    id: str
    idempotency_key: Optional[str] = None
    amount: Decimal
    currency: str
    status: str
    customer_id: str
    created_at: datetime.datetime

    @classmethod
    def of(cls, payment):
        return cls(id=str(payment.id), idempotency_key=payment.idempotency_key, amount=payment.amount,
                   currency=payment.currency, status=payment.status, customer_id=payment.customer_id,
                   created_at=payment.created_at)


app = FastAPI(title=f"FastAPI reference: {STRATEGY}")


@app.on_event("startup")
async def create_tables():
    async with engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
        await connection.run_sync(Base.metadata.create_all)


@app.on_event("shutdown")
async def remove_what_it_made():
    async with engine.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    await engine.dispose()
    async for name in redis.scan_iter(match=f"{PREFIX}*", count=1000):
        await redis.delete(name)
    await redis.close()


async def request_session():
    async with Session() as session:
        try:
            yield session
            await session.commit()
        except Exception:
            await session.rollback()
            raise


def answer(body, status, replay):
    return JSONResponse(content=body, status_code=status,
                        headers={"X-Idempotency-Replay": "true" if replay else "false"})


async def stored_answer(key):
    """The stored answer for `key`: Redis first, then the idempotency_keys table."""
    raw = await redis.get(f"{PREFIX}idem:{key}")
    if raw:
        return json.loads(raw)
    async with Session() as session:
        row = await session.get(IdempotencyKey, key)
        if row is not None and row.expires_at > datetime.datetime.now(datetime.timezone.utc):
            stored = {"body": row.response_body, "status_code": row.response_status}
            await redis.setex(f"{PREFIX}idem:{key}", KEY_TTL_S, json.dumps(stored))
            return stored
    return None


async def store_answer(key, body, status):
    await redis.setex(f"{PREFIX}idem:{key}", KEY_TTL_S, json.dumps({"body": body, "status_code": status}))
    async with Session() as session:
        if await session.get(IdempotencyKey, key) is None:
            session.add(IdempotencyKey(key=key, response_body=body, response_status=status,
                                       expires_at=datetime.datetime.now(datetime.timezone.utc)
                                       + datetime.timedelta(seconds=KEY_TTL_S)))
            try:
                await session.commit()
            except Exception as error:  # the reference logs and goes on
                log("idempotency_db_write_failed", key=key, error=str(error))
                await session.rollback()


async def wait_for_answer(key, max_wait_s=25.0):
    loop = asyncio.get_running_loop()
    deadline, interval = loop.time() + max_wait_s, 0.1
    while loop.time() < deadline:
        stored = await stored_answer(key)
        if stored:
            return stored
        await asyncio.sleep(interval)
        interval = min(interval * 1.5, 2.0)
    return None


async def pay_with_key(body, key, db):
    lock = f"{PREFIX}lock:{key}"
    if not await redis.set(lock, "1", nx=True, ex=LOCK_TTL_S):
        stored = await wait_for_answer(key)
        if stored:
            return answer(stored["body"], stored["status_code"], True)
        raise HTTPException(status_code=503, detail="Could not acquire idempotency lock; please retry.")
    try:
        stored = await stored_answer(key)
        if stored:
            log("idempotency_cache_hit", key=key)
            return answer(stored["body"], stored["status_code"], True)
        now = datetime.datetime.now(datetime.timezone.utc)
        payment = Payment(id=uuid.uuid4(), idempotency_key=key, amount=body.amount, currency=body.currency,
                          customer_id=body.customer_id, description=body.description,
                          metadata_=body.metadata, status="completed", created_at=now, updated_at=now)
        db.add(payment)
        await db.flush()
        await db.refresh(payment)
        response = jsonable_encoder(PaymentResponse.of(payment))
        await store_answer(key, response, 201)
        log("payment_created", payment_id=str(payment.id), key=key, strategy=STRATEGY)
        return answer(response, 201, False)
    finally:
        await redis.delete(lock)


INSERT_UNLESS_THERE = text(
    "INSERT INTO payments (id, idempotency_key, amount, currency, customer_id, description, status,"
    " created_at, updated_at) VALUES (:id, :key, :amount, :currency, :customer_id, :description,"
    " 'completed', NOW(), NOW()) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id")


async def pay_unique(body, key, db):
    inserted = (await db.execute(INSERT_UNLESS_THERE, {
        "id": uuid.uuid4(), "key": key, "amount": body.amount, "currency": body.currency,
        "customer_id": body.customer_id, "description": body.description})).fetchone()
    payment = (await db.execute(select(Payment).where(Payment.idempotency_key == key))).scalar_one()
    log("db_constraint_payment", payment_id=str(payment.id), is_new=inserted is not None, strategy=STRATEGY)
    return answer(jsonable_encoder(PaymentResponse.of(payment)), 201 if inserted else 200, inserted is None)


@app.post("/payments")
async def create_payment(body: PaymentRequest, idempotency_key: str = Header(..., alias="Idempotency-Key"),
                         db: AsyncSession = Depends(request_session)):
    if STRATEGY == "idempotency_key":
        return await pay_with_key(body, idempotency_key, db)
    return await pay_unique(body, idempotency_key, db)


@app.get("/payments/{payment_id}")
async def get_payment(payment_id: str, db: AsyncSession = Depends(request_session)):
    try:
        wanted = uuid.UUID(payment_id)
    except ValueError:
        raise HTTPException(status_code=404, detail="Payment not found")
    payment = (await db.execute(select(Payment).where(Payment.id == wanted))).scalar_one_or_none()
    if payment is None:
        raise HTTPException(status_code=404, detail="Payment not found")
    return jsonable_encoder(PaymentResponse.of(payment))


@app.get("/health")
async def health():
    return {"status": "ok", "service": STRATEGY}
