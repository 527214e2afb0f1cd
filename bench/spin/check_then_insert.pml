/* The check-then-insert race of check_then_insert.json, for SPIN: three
 * copies of one payment request sent at once, each retried up to twice
 * when its answer is lost or is an error, served by two workers.
 *
 * Without FIXED (check_then_insert_charge_first): look the key up; if no
 * row, charge, then insert the row (a unique key refuses a second insert:
 * that copy answers 500 and is retried). With -DFIXED (db_unique): insert
 * the row first under the unique key, and charge only if this copy
 * inserted it; a copy that finds the row replays it.
 *
 * The property: at most one charge (assert). bench/spin/compare runs SPIN's
 * breadth-first search on both and idemlab explore --schedules beside it. */
#define COPIES 3
#define RETRIES 2

byte workers = 2;   /* free workers of the API service */
bool row = false;   /* the key's row, committed */
byte charges = 0;   /* at the processor */

proctype request() {
  byte attempt = 0;
  bool claimed = false;
  do
  :: attempt > RETRIES -> break
  :: else ->
     atomic { workers > 0 -> workers-- };
#ifdef FIXED
     atomic { if :: !row -> row = true; claimed = true :: else -> claimed = false fi };
     if
     :: claimed -> charges++; assert(charges <= 1)
     :: else -> skip
     fi;
     workers++;
     if
     :: break               /* the answer arrives */
     :: attempt++           /* the answer is lost: the client retries */
     fi
#else
     if
     :: row ->              /* found: replay the stored answer */
        workers++;
        if
        :: break
        :: attempt++
        fi
     :: else ->
        charges++;          /* charged before anything is recorded */
        assert(charges <= 1);
        if
        :: atomic { !row -> row = true; workers++ };   /* recorded: 201 ... */
           if
           :: break
           :: attempt++     /* ... but the answer is lost */
           fi
        :: atomic { row -> workers++; attempt++ }       /* unique violation: 500, retried */
        fi
     fi
#endif
  od
}

init {
  atomic {
    byte i = 0;
    do
    :: i < COPIES -> run request(); i++
    :: else -> break
    od
  }
}
